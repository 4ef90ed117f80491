//! The report pages' charts: grouped bars over labelled slots (hours, domains, metrics),
//! drawn server-side as SVG by `plotters`, like the dashboard's ([`super::charts`]). The
//! numbers come from a report's table; the page decides which columns to draw.

use plotters::prelude::*;

const WIDTH: u32 = 720;
const HEIGHT: u32 = 300;
const FONT: &str = "sans-serif";
const COLOURS: [RGBColor; 3] = [
    RGBColor(59, 130, 246),
    RGBColor(22, 163, 74),
    RGBColor(220, 38, 38),
];

/// One series: its legend name and a value per slot (`None`: no bar).
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Bars of up to three series side by side in each labelled slot; `whole` values (counts)
/// get whole-number ticks.
pub fn bars(
    caption: &str,
    slots: &[String],
    series: &[Series],
    y_axis: &str,
    whole: bool,
) -> Result<String, String> {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let top = if max > 0.0 { max * 1.15 } else { 1.0 };
    let n = i32::try_from(slots.len().max(1)).map_err(err)?;
    let groups = series.len().clamp(1, COLOURS.len());
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(caption, (FONT, 18))
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..f64::from(n), 0f64..top)
            .map_err(err)?;
        // Each slot is labelled at its left edge, on whole ticks; counts tick on whole numbers.
        let every = slots.len().div_ceil(12).max(1);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small positive axis top"
        )]
        let y_ticks = if whole && top < 10.0 {
            top.ceil() as usize + 1
        } else {
            6
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(slots.len().clamp(1, 25))
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() > 0.01 {
                    return String::new();
                }
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a slot index inside the axis range"
                )]
                let i = x.round().max(0.0) as usize;
                if i.is_multiple_of(every) {
                    slots.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_labels(y_ticks)
            .y_label_formatter(&|y| {
                if whole || top >= 10.0 {
                    format!("{y:.0}")
                } else {
                    format!("{y:.2}")
                }
            })
            .y_desc(y_axis)
            .label_style((FONT, 12))
            .draw()
            .map_err(err)?;
        #[expect(clippy::cast_precision_loss, reason = "at most three series")]
        let width = 0.8 / groups as f64;
        for ((k, s), colour) in (0u32..).zip(series.iter().take(groups)).zip(COLOURS) {
            let left = 0.1 + f64::from(k) * width;
            let rects = (0u32..).zip(&s.values).filter_map(move |(i, v)| {
                v.map(|v| {
                    let x = f64::from(i) + left;
                    Rectangle::new([(x, 0.0), (x + width * 0.9, v)], colour.mix(0.8).filled())
                })
            });
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(s.name.as_str())
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
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_draw_each_value_and_the_legend_and_escape_names() {
        let slots: Vec<String> = (0..24).map(|h| h.to_string()).collect();
        let series = [
            Series {
                name: "<进线>".into(),
                values: (0..24).map(|h| Some(f64::from(h))).collect(),
            },
            Series {
                name: "需要".into(),
                values: (0..24).map(|h| (h % 2 == 0).then_some(3.0)).collect(),
            },
        ];
        let svg = bars("每小时", &slots, &series, "数", true).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("每小时") && svg.contains("需要"));
        assert!(svg.contains("&lt;进线&gt;"), "names escaped");
        // 24 + 12 bars, the legend's two swatches and the background.
        assert!(
            svg.matches("<rect").count() >= 24 + 12 + 2,
            "{}",
            svg.matches("<rect").count()
        );
    }

    #[test]
    fn an_empty_chart_still_draws() {
        let svg = bars("空", &[], &[], "数", false).unwrap();
        assert!(svg.contains("空"));
    }
}
