//! The configuration's layering, validation messages and the README's copy of the example.

use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn example_parses_to_the_defaults() {
    let parsed: Config = toml::from_str(EXAMPLE).unwrap();
    let d = Config::default();
    assert_eq!(parsed.server.listen, d.server.listen);
    assert_eq!(parsed.server.body_limit_bytes, d.server.body_limit_bytes);
    assert_eq!(
        format!("{:?}", parsed.limits()),
        format!("{:?}", d.limits())
    );
    assert_eq!(parsed.database.url, d.database.url);
    assert_eq!(parsed.auth.session_ttl_hours, d.auth.session_ttl_hours);
    assert_eq!(
        parsed.tickets.reopen_window_days,
        d.tickets.reopen_window_days
    );
}

#[test]
fn readme_shows_the_current_example() {
    let readme = include_str!("../../../../README.md");
    assert!(
        readme.contains(EXAMPLE),
        "README.md must contain the output of `kefu config example`"
    );
}

#[test]
fn flags_beat_env_and_env_beats_file() {
    let dir = std::env::temp_dir().join(format!("kefu-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kefu.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"127.0.0.1:9000\"\n[database]\nurl = \"/tmp/a\"\n",
    )
    .unwrap();
    let env = |k: &str| (k == "KEFU_DATABASE_URL").then(|| "/tmp/b".to_owned());
    let c = Config::load(Some(&file), env, None, None).unwrap();
    assert_eq!(c.server.listen, "127.0.0.1:9000");
    assert_eq!(c.database.url, "/tmp/b");
    let c = Config::load(Some(&file), env, Some("127.0.0.1:1"), Some("/tmp/c")).unwrap();
    assert_eq!(
        (c.server.listen.as_str(), c.database.url.as_str()),
        ("127.0.0.1:1", "/tmp/c")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_values_name_the_key_and_env() {
    let err = Config::load(None, no_env, Some("nowhere"), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("server.listen") && err.contains("KEFU_LISTEN"),
        "{err}"
    );
    let env = |k: &str| (k == "KEFU_REOPEN_WINDOW_DAYS").then(|| "soon".to_owned());
    let err = Config::load(None, env, None, None).unwrap_err().to_string();
    assert!(
        err.contains("tickets.reopen_window_days") && err.contains("KEFU_REOPEN_WINDOW_DAYS"),
        "{err}"
    );
}

#[test]
fn connection_limits_come_from_env_and_are_checked() {
    let env = |k: &str| match k {
        "KEFU_HEADER_READ_TIMEOUT_SECONDS" => Some("5".to_owned()),
        "KEFU_MAX_CONNECTIONS" => Some("50".to_owned()),
        _ => None,
    };
    let limits = Config::load(None, env, None, None).unwrap().limits();
    assert_eq!(limits.header_read_timeout, Duration::from_secs(5));
    assert_eq!(limits.max_connections, 50);
    assert_eq!(limits.request_timeout, Duration::from_secs(30));

    for (var, value, key) in [
        ("KEFU_MAX_CONNECTIONS", "0", "server.max_connections"),
        (
            "KEFU_HEADER_READ_TIMEOUT_SECONDS",
            "0",
            "server.header_read_timeout_seconds",
        ),
        (
            "KEFU_IDLE_TIMEOUT_SECONDS",
            "5",
            "server.idle_timeout_seconds",
        ),
        (
            "KEFU_REQUEST_TIMEOUT_SECONDS",
            "soon",
            "server.request_timeout_seconds",
        ),
    ] {
        let env = |k: &str| (k == var).then(|| value.to_owned());
        let err = Config::load(None, env, None, None).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{key} (env {var})")), "{err}");
    }
}

#[test]
fn a_bad_business_calendar_names_its_field() {
    let dir = std::env::temp_dir().join(format!("kefu-config-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kefu.toml");
    std::fs::write(&file, "[sla.calendar]\ntime_zone = \"Mars/Olympus\"\n").unwrap();
    let err = Config::load(Some(&file), no_env, None, None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("sla.calendar.time_zone"), "{err}");
    std::fs::write(
        &file,
        "[sla.calendar]\n[sla.calendar.hours]\nmon = [{ start = \"09:00\", end = \"18:00\" }]\n",
    )
    .unwrap();
    let c = Config::load(Some(&file), no_env, None, None).unwrap();
    assert!(!c.settings().unwrap().calendar.is_always_open());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unreadable_bot_model_names_its_key() {
    let env = |k: &str| (k == "KEFU_BOT_MODEL").then(|| "/nonexistent/model.bin".to_owned());
    let c = Config::load(None, env, None, None).unwrap();
    let err = c.settings().unwrap_err().to_string();
    assert!(err.starts_with("bot.model (env KEFU_BOT_MODEL)"), "{err}");
}

#[test]
fn the_built_in_bot_model_is_on_unless_set_to_none() {
    let c = Config::load(None, no_env, None, None).unwrap();
    assert!(c.settings().unwrap().bot_model.is_some());
    let env = |k: &str| (k == "KEFU_BOT_MODEL").then(|| "none".to_owned());
    let c = Config::load(None, env, None, None).unwrap();
    assert!(c.settings().unwrap().bot_model.is_none());
    let dir = std::env::temp_dir().join(format!("kefu-config-bot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kefu.toml");
    std::fs::write(&file, "[bot]\nmodel = \"none\"\n").unwrap();
    let c = Config::load(Some(&file), no_env, None, None).unwrap();
    assert!(c.settings().unwrap().bot_model.is_none());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_keys_in_the_file_are_rejected() {
    let dir = std::env::temp_dir().join(format!("kefu-config-unknown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kefu.toml");
    std::fs::write(&file, "[server]\nlisen = \"x\"\n").unwrap();
    let err = Config::load(Some(&file), no_env, None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("lisen") && err.contains("kefu.toml"), "{err}");
    let err = Config::load(Some(&dir.join("missing.toml")), no_env, None, None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot read config file"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn check_prints_the_effective_configuration_as_toml_without_secrets() {
    let env =
        |k: &str| (k == "KEFU_DATABASE_URL").then(|| "postgres://kefu:hunter2@db/kefu".to_owned());
    let shown = Config::load(None, env, None, None)
        .unwrap()
        .to_toml()
        .unwrap();
    assert!(!shown.contains("hunter2"), "{shown}");
    let back: Config = toml::from_str(&shown).unwrap();
    assert_eq!(back.database.url, "postgres://kefu:***@db/kefu");
    assert_eq!(back.server.max_connections, 10_000);
    assert!(shown.contains("[server]"), "{shown}");
}

#[test]
fn debug_output_hides_database_passwords() {
    let mut c = Config::default();
    c.database.url = "postgres://kefu:hunter2@db/kefu".into();
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("kefu:***@db"),
        "{shown}"
    );
}

#[test]
fn live_limits_come_from_the_file_and_bad_ones_are_named() {
    let parsed: Config = toml::from_str(EXAMPLE).unwrap();
    assert_eq!(
        format!("{:?}", parsed.live_limits()),
        format!("{:?}", kefu_server::live::LiveLimits::default())
    );
    let env = |k: &str| (k == "KEFU_LIVE_IDLE_TIMEOUT_SECONDS").then(|| "5".to_owned());
    let err = Config::load(None, env, None, None).unwrap_err().to_string();
    assert!(err.contains("live.idle_timeout_seconds"), "{err}");
    let env = |k: &str| (k == "KEFU_LIVE_MAX_CONNECTIONS").then(|| "7".to_owned());
    let c = Config::load(None, env, None, None).unwrap();
    assert_eq!(c.live_limits().max_connections, 7);
}

#[test]
fn survey_settings_come_from_the_file_and_env_and_bad_ones_are_named() {
    let parsed: Config = toml::from_str(EXAMPLE).unwrap();
    assert_eq!(
        format!("{:?}", parsed.survey.settings(&parsed.server.listen)),
        format!("{:?}", kefu_service::survey::SurveySettings::default())
    );
    let env = |k: &str| (k == "KEFU_SURVEY_REMINDER_HOURS").then(|| "0".to_owned());
    let err = Config::load(None, env, None, None).unwrap_err().to_string();
    assert!(err.contains("survey.reminder_hours"), "{err}");
    assert!(err.contains("KEFU_SURVEY_REMINDER_HOURS"), "{err}");
    let env =
        |k: &str| (k == "KEFU_SURVEY_LINK_BASE_URL").then(|| "support.example.com".to_owned());
    let err = Config::load(None, env, None, None).unwrap_err().to_string();
    assert!(
        err.contains("survey.link_base_url") && err.contains("KEFU_SURVEY_LINK_BASE_URL"),
        "{err}"
    );
    let env = |k: &str| {
        (k == "KEFU_SURVEY_LINK_BASE_URL").then(|| "https://support.example.com/".to_owned())
    };
    let c = Config::load(None, env, None, None).unwrap();
    assert_eq!(
        c.survey.settings(&c.server.listen).link_base,
        "https://support.example.com"
    );
    let env = |k: &str| match k {
        "KEFU_SURVEY_ENABLED" => Some("false".to_owned()),
        "KEFU_SURVEY_TOKEN_TTL_DAYS" => Some("3".to_owned()),
        _ => None,
    };
    let c = Config::load(None, env, None, None).unwrap();
    let s = c.survey.settings(&c.server.listen);
    assert!(!s.enabled);
    assert_eq!(s.token_ttl, std::time::Duration::from_secs(3 * 24 * 3600));
}

#[test]
fn channels_come_from_the_file_bad_ones_are_named_and_secrets_never_shown() {
    let parsed: Config = toml::from_str(EXAMPLE).unwrap();
    assert_eq!(
        format!("{:?}", parsed.channels.settings()),
        format!("{:?}", kefu_service::channels::ChannelSettings::default())
    );
    let dir = std::env::temp_dir().join(format!("kefu-config-ch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kefu.toml");
    let hook = |secret: &str, name: &str| {
        format!(
            "[[channels.webhooks]]\nname = \"{name}\"\nsecret = \"{secret}\"\n\
             outbound_url = \"https://platform.example/replies\"\n\
             [[channels.apps]]\napp = \"douyin\"\nsecret = \"app-secret-of-16-bytes\"\n"
        )
    };
    std::fs::write(&file, hook("weibo-secret-of-16-bytes", "weibo")).unwrap();
    let c = Config::load(Some(&file), no_env, None, None).unwrap();
    let s = c.channels.settings();
    assert_eq!(s.webhooks[0].name, "weibo");
    assert_eq!(s.webhooks[0].channel, kefu_domain::Channel::Social);
    assert_eq!(s.apps[0].app, "douyin");
    for shown in [c.to_toml().unwrap(), format!("{c:?}")] {
        assert!(
            !shown.contains("weibo-secret") && !shown.contains("app-secret"),
            "{shown}"
        );
    }
    for (secret, name, key) in [
        ("short", "weibo", "channels.webhooks.secret"),
        (
            "weibo-secret-of-16-bytes",
            "Weibo!",
            "channels.webhooks.name",
        ),
    ] {
        std::fs::write(&file, hook(secret, name)).unwrap();
        let err = Config::load(Some(&file), no_env, None, None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(key), "{err}");
    }
    let env = |k: &str| (k == "KEFU_CHANNELS_MAX_ATTEMPTS").then(|| "0".to_owned());
    let err = Config::load(None, env, None, None).unwrap_err().to_string();
    assert!(
        err.starts_with("channels.max_attempts (env KEFU_CHANNELS_MAX_ATTEMPTS)"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_log_format_comes_from_env_and_a_bad_one_is_named() {
    let c = Config::load(None, no_env, None, None).unwrap();
    assert_eq!(c.log.format, LogFormat::Text);
    let env = |k: &str| (k == "KEFU_LOG_FORMAT").then(|| "json".to_owned());
    let c = Config::load(None, env, None, None).unwrap();
    assert_eq!(c.log.format, LogFormat::Json);
    let env = |k: &str| (k == "KEFU_LOG_FORMAT").then(|| "xml".to_owned());
    let err = Config::load(None, env, None, None).unwrap_err().to_string();
    assert!(
        err.contains("log.format") && err.contains("KEFU_LOG_FORMAT"),
        "{err}"
    );
}
