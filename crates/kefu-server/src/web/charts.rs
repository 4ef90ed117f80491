//! The supervisor dashboard's charts, drawn server-side as SVG by `plotters` (its SVG
//! backend only): today's arrivals per local hour against rostered and needed staff, and
//! the waiting queue by domain and priority. Each returns the `<svg>` markup to place in
//! the page; every text in it comes from our catalogue or the category codes and is
//! escaped by the backend.

use kefu_domain::Priority;
use kefu_service::dashboard::HourLine;
use kefu_service::types::WaitingCount;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The labels a chart is drawn with, in the reader's language.
pub struct ChartTexts {
    pub hours_caption: &'static str,
    pub arrivals: &'static str,
    pub rostered: &'static str,
    pub needed: &'static str,
    pub hour_axis: &'static str,
    pub count_axis: &'static str,
    pub queue_caption: &'static str,
    pub queue_empty: &'static str,
    /// The priority names, lowest first (as [`Priority::ALL`]).
    pub priorities: [&'static str; 4],
}

const WIDTH: u32 = 720;
const HEIGHT: u32 = 300;
const FONT: &str = "sans-serif";
/// Priority colours, lowest first.
const PRIORITY_COLOURS: [RGBColor; 4] = [
    RGBColor(148, 163, 184),
    RGBColor(59, 130, 246),
    RGBColor(245, 158, 11),
    RGBColor(220, 38, 38),
];
const ARRIVALS: RGBColor = RGBColor(59, 130, 246);
const ROSTERED: RGBColor = RGBColor(22, 163, 74);
const NEEDED: RGBColor = RGBColor(220, 38, 38);

type DrawResult<T> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Draws into an SVG string of the chart size.
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult<()>,
) -> DrawResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// A round upper bound for a count axis (at least 4, so small days still have a scale).
fn axis_top(max: u64) -> u64 {
    let top = max.max(4);
    top + top / 5 + 1
}

/// Today's arrivals per local hour (bars) with the staff the rosters give and the staff
/// Erlang C asks for (lines).
pub fn hours_chart(hours: &[HourLine], t: &ChartTexts) -> DrawResult<String> {
    let max = hours
        .iter()
        .map(|h| {
            h.arrivals
                .max(u64::from(h.rostered))
                .max(u64::from(h.needed))
        })
        .max()
        .unwrap_or(0);
    let top = axis_top(max) as f64;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption(t.hours_caption, (FONT, 18))
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..24f64, 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(13)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(integer_ticks(max))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc(t.hour_axis)
            .y_desc(t.count_axis)
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        let bar = |h: &HourLine| {
            let x = f64::from(h.hour);
            Rectangle::new(
                [(x + 0.12, 0.0), (x + 0.88, h.arrivals as f64)],
                ARRIVALS.mix(0.75).filled(),
            )
        };
        chart
            .draw_series(hours.iter().map(bar))
            .map_err(err)?
            .label(t.arrivals)
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], ARRIVALS.filled()));
        let line = |f: fn(&HourLine) -> u32| {
            hours
                .iter()
                .map(move |h| (f64::from(h.hour) + 0.5, f64::from(f(h))))
        };
        chart
            .draw_series(LineSeries::new(
                line(|h| h.rostered),
                ROSTERED.stroke_width(3),
            ))
            .map_err(err)?
            .label(t.rostered)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], ROSTERED.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(line(|h| h.needed), NEEDED.stroke_width(2)))
            .map_err(err)?
            .label(t.needed)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], NEEDED.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 12))
            .draw()
            .map_err(err)
    })
}

/// Waiting tickets per domain, stacked by priority.
pub fn queue_chart(
    queue: &[WaitingCount],
    category_name: &dyn Fn(&str) -> String,
    t: &ChartTexts,
) -> DrawResult<String> {
    let mut categories: Vec<&str> = queue.iter().map(|w| w.category.as_str()).collect();
    categories.dedup();
    let count = |c: &str, p: Priority| -> u64 {
        queue
            .iter()
            .filter(|w| w.category.as_str() == c && w.priority == p)
            .map(|w| w.count)
            .sum()
    };
    let max = categories
        .iter()
        .map(|c| Priority::ALL.iter().map(|p| count(c, *p)).sum::<u64>())
        .max()
        .unwrap_or(0);
    let top = axis_top(max) as f64;
    let names: Vec<String> = categories.iter().map(|c| category_name(c)).collect();
    let slots = i32::try_from(categories.len().max(1)).map_err(err)?;
    let caption = if categories.is_empty() {
        t.queue_empty
    } else {
        t.queue_caption
    };
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .caption(caption, (FONT, 18))
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d((0..slots).into_segmented(), 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(names.len().max(1))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| names.get(i))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_labels(integer_ticks(max))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc(t.count_axis)
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        for ((p, name), colour) in Priority::ALL.iter().zip(t.priorities).zip(PRIORITY_COLOURS) {
            let mut bars = Vec::new();
            for (i, c) in (0..).zip(categories.iter()) {
                let below: u64 = Priority::ALL
                    .iter()
                    .take_while(|q| *q != p)
                    .map(|q| count(c, *q))
                    .sum();
                let n = count(c, *p);
                if n == 0 {
                    continue;
                }
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), below as f64),
                        (SegmentValue::Exact(i + 1), (below + n) as f64),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                bars.push(bar);
            }
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 12))
            .draw()
            .map_err(err)
    })
}

/// At most one tick per whole count, so a small axis (0–5) does not print "0 0 1 1 2 …".
fn integer_ticks(max: u64) -> usize {
    usize::try_from(axis_top(max))
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .clamp(2, 11)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::CategoryCode;

    const TEXTS: ChartTexts = ChartTexts {
        hours_caption: "今日进线",
        arrivals: "进线",
        rostered: "排班",
        needed: "需要",
        hour_axis: "时",
        count_axis: "数",
        queue_caption: "排队",
        queue_empty: "无排队",
        priorities: ["低", "普通", "高", "紧急"],
    };

    fn hours() -> Vec<HourLine> {
        (0..24)
            .map(|hour| HourLine {
                hour,
                arrivals: u64::try_from(hour).unwrap() * 2,
                rostered: 5,
                needed: u32::try_from(hour).unwrap() / 3,
            })
            .collect()
    }

    #[test]
    fn the_hours_chart_is_an_svg_with_bars_lines_and_the_legend() {
        let svg = hours_chart(&hours(), &TEXTS).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("今日进线") && svg.contains("排班") && svg.contains("需要"));
        assert!(svg.matches("<rect").count() >= 24, "a bar per hour");
        assert!(svg.contains("<polyline"), "the staffing lines");
    }

    #[test]
    fn the_queue_chart_stacks_priorities_and_escapes_names() {
        let lane = |c: &str, p, n| WaitingCount {
            category: CategoryCode::parse(c).unwrap(),
            priority: p,
            escalated: false,
            count: n,
        };
        let queue = [
            lane("account", Priority::Urgent, 2),
            lane("account", Priority::Normal, 5),
            lane("live", Priority::Normal, 1),
        ];
        let svg = queue_chart(&queue, &|c| format!("<{c}>"), &TEXTS).unwrap();
        assert!(svg.contains("&lt;account&gt;"), "names escaped");
        assert!(!svg.contains("<account>"));
        assert!(svg.contains("紧急"));
        let empty = queue_chart(&[], &|c| c.to_owned(), &TEXTS).unwrap();
        assert!(empty.contains("无排队"));
    }
}
