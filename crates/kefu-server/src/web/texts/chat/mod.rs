//! The texts of the chat, the online form and the widget, in each language the pages speak
//! (kept apart from the help center's [`super::Texts`]). The templates read them as
//! `c.<field>`; the chat script reads the ones it needs from `data-` attributes.

mod en;
mod zh_cn;

use kefu_service::Lang;
use serde::Serialize;

/// The chat and form texts of one language.
#[derive(Debug, Serialize)]
pub struct ChatTexts {
    pub nav_chat: &'static str,
    pub nav_form: &'static str,
    pub chat_title: &'static str,
    /// The bot's greeting, shown before the first message.
    pub greeting: &'static str,
    pub message_label: &'static str,
    pub message_placeholder: &'static str,
    pub send: &'static str,
    pub talk_to_person: &'static str,
    /// What the "talk to a person" button sends (the bot hands over on it).
    pub talk_to_person_message: &'static str,
    pub attach_image: &'static str,
    pub record_voice: &'static str,
    pub stop_recording: &'static str,
    pub ticket_number: &'static str,
    pub lookup_code: &'static str,
    /// `{n}`: tickets ahead.
    pub queue_position: &'static str,
    /// `{m}`: minutes.
    pub queue_eta: &'static str,
    pub queue_no_eta: &'static str,
    /// The queue position when nobody is ahead.
    pub queue_next: &'static str,
    /// Why the image and voice buttons wait: they need the chat the first message opens.
    pub tools_after_first: &'static str,
    pub handing_over: &'static str,
    /// `{name}`: the agent's display name.
    pub agent_joined: &'static str,
    pub resolved: &'static str,
    pub connecting: &'static str,
    pub reconnecting: &'static str,
    pub send_failed: &'static str,
    pub upload_failed: &'static str,
    pub suggestions: &'static str,
    pub from_you: &'static str,
    pub from_bot: &'static str,
    pub from_agent: &'static str,
    pub voice_message: &'static str,
    pub image: &'static str,
    pub chat_more: &'static str,
    pub widget_open: &'static str,
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub form_domain: &'static str,
    pub form_choose_domain: &'static str,
    pub form_description: &'static str,
    pub form_description_hint: &'static str,
    pub form_contact: &'static str,
    pub form_contact_hint: &'static str,
    pub form_images: &'static str,
    pub form_images_hint: &'static str,
    pub form_submit: &'static str,
    pub form_invalid: &'static str,
    /// What a refused field needs, in the reader's words (the service's are for the API).
    pub form_msg_category: &'static str,
    pub form_msg_description: &'static str,
    pub form_msg_contact: &'static str,
    pub form_msg_required: &'static str,
    pub form_msg_account_id: &'static str,
    pub form_msg_link: &'static str,
    pub form_msg_number: &'static str,
    pub form_msg_images: &'static str,
    pub field_account_id: &'static str,
    pub field_video_link: &'static str,
    pub field_room_id: &'static str,
    pub field_campaign_id: &'static str,
    pub field_reported_link: &'static str,
    pub field_required: &'static str,
    pub field_optional: &'static str,
    pub result_title: &'static str,
    pub result_intro: &'static str,
    pub result_keep: &'static str,
    pub result_how: &'static str,
    pub result_check: &'static str,
    /// The result page's button that opens the new ticket at once.
    pub result_open: &'static str,
}

impl ChatTexts {
    /// The texts of a language.
    pub fn of(lang: Lang) -> &'static ChatTexts {
        match lang {
            Lang::Zh => &zh_cn::TEXTS,
            Lang::En => &en::TEXTS,
        }
    }

    /// The label of an online-form domain field, by its name.
    pub fn field_label(&self, name: &str) -> &'static str {
        match name {
            "account_id" => self.field_account_id,
            "video_link" => self.field_video_link,
            "room_id" => self.field_room_id,
            "campaign_id" => self.field_campaign_id,
            _ => self.field_reported_link,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_chat_text_is_blank_and_the_languages_differ() {
        let zh = serde_json::to_value(ChatTexts::of(Lang::Zh)).unwrap();
        let en = serde_json::to_value(ChatTexts::of(Lang::En)).unwrap();
        for (key, value) in zh.as_object().unwrap() {
            let value = value.as_str().unwrap();
            let other = en[key].as_str().unwrap();
            assert!(
                !value.trim().is_empty() && !other.trim().is_empty(),
                "{key}"
            );
            assert_ne!(value, other, "{key} is the same in both");
        }
    }

    #[test]
    fn every_form_field_has_a_label() {
        let t = ChatTexts::of(Lang::En);
        for f in kefu_service::online_form::FIELDS {
            let label = t.field_label(f.name);
            assert!(
                f.name == "reported_link" || label != t.field_reported_link,
                "{}",
                f.name
            );
        }
    }
}
