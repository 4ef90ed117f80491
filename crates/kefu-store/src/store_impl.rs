//! The [`crate::Store`] implementation, written once for both backends: each method hands
//! its step from `ops` to the backend's `read` (pooled connection) or `write` (one
//! transaction; group-committed on SQLite).

/// Runs a ticket step and writes `jobs` after it in the same transaction (`write`): the
/// jobs exist if and only if the step commits. The step's input has an `at` (the jobs'
/// `created_at`).
macro_rules! with_jobs {
    ($self:ident, $step:path, $input:ident, $jobs:ident) => {{
        let at = $input.at;
        $self
            .write(move |c| {
                Box::pin(async move {
                    let done = $step(c, $input).await?;
                    ops::insert_jobs(c, &$jobs, at).await?;
                    Ok(done)
                })
            })
            .await
    }};
}

/// Runs an admin step and writes the audit rows `audit` builds from its result after it in
/// the same transaction (`write`).
macro_rules! with_audit {
    ($self:ident, $audit:ident, |$c:ident| $step:expr) => {
        $self
            .write(move |$c| {
                Box::pin(async move {
                    let done = $step.await?;
                    ops::insert_audit($c, &$audit(&done)).await?;
                    Ok(done)
                })
            })
            .await
    };
}

/// Implements [`crate::Store`] for a backend type that has
/// `async fn read<T>(&self, f) -> StoreResult<T>` and `async fn write<T>(&self, f)`, each
/// running `f` on a connection (`write` inside one transaction), and
/// `async fn write_new_ticket(&self, NewTicket)` (intake, which SQLite writes in batches).
macro_rules! impl_store {
    ($ty:ty, $name:literal) => {
        crate::store_impl_jobs::impl_store_with_jobs!($ty, {
            fn backend(&self) -> &'static str {
                $name
            }
            fn channels(&self) -> &dyn crate::ChannelStore {
                self
            }
            async fn ping(&self) -> StoreResult<()> {
                self.read(|c| {
                    Box::pin(async move {
                        sqlx::query("SELECT 1")
                            .execute(&mut *c)
                            .await
                            .map(|_| ())
                            .map_err(Into::into)
                    })
                })
                .await
            }
            async fn open_ticket(&self, new: NewTicket) -> StoreResult<OpenedTicket> {
                self.write_new_ticket(new).await
            }
            async fn ticket_by_number(&self, number: &TicketNumber) -> StoreResult<Option<Ticket>> {
                let number = *number;
                self.read(move |c| Box::pin(async move { ops::ticket_by_number(c, &number).await }))
                    .await
            }
            async fn ticket(&self, id: TicketId) -> StoreResult<Ticket> {
                self.read(move |c| Box::pin(ops::ticket(c, id))).await
            }
            async fn list_tickets(&self, filter: &TicketFilter) -> StoreResult<Vec<Ticket>> {
                let filter = filter.clone();
                self.read(move |c| Box::pin(async move { ops::list_tickets(c, &filter).await }))
                    .await
            }
            async fn add_message(&self, new: NewMessage) -> StoreResult<Message> {
                self.add_message_with_jobs(new, Vec::new()).await
            }
            async fn messages(
                &self,
                ticket: TicketId,
                include_internal: bool,
            ) -> StoreResult<Vec<Message>> {
                self.read(move |c| Box::pin(ops::messages(c, ticket, include_internal)))
                    .await
            }
            async fn messages_page(
                &self,
                ticket: TicketId,
                include_internal: bool,
                after: Option<i64>,
                limit: u32,
            ) -> StoreResult<Vec<Message>> {
                self.read(move |c| {
                    Box::pin(ops::messages_page(
                        c,
                        ticket,
                        include_internal,
                        after,
                        limit,
                    ))
                })
                .await
            }
            async fn events(&self, ticket: TicketId) -> StoreResult<Vec<TicketEvent>> {
                self.read(move |c| Box::pin(ops::events(c, ticket))).await
            }
            async fn change_status(&self, change: StatusChange) -> StoreResult<Ticket> {
                self.change_status_with_jobs(change, Vec::new()).await
            }
            async fn assign_ticket(&self, a: Assignment) -> StoreResult<Ticket> {
                self.assign_ticket_with_jobs(a, Vec::new()).await
            }
            async fn update_ticket(&self, p: TicketPatch) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::update_ticket(c, p)))
                    .await
            }
            async fn count_by_status(&self) -> StoreResult<Vec<(TicketStatus, i64)>> {
                self.read(|c| Box::pin(ops::count_by_status(c))).await
            }
            async fn set_presence(&self, p: PresenceChange) -> StoreResult<Vec<TicketId>> {
                self.write(move |c| Box::pin(ops::set_presence(c, p))).await
            }
            async fn hand_over_chats(&self, h: Handover) -> StoreResult<Vec<TicketId>> {
                self.write(move |c| Box::pin(ops::hand_over_chats(c, h)))
                    .await
            }
            async fn set_roster(&self, r: AgentRoster) -> StoreResult<AgentRoster> {
                self.write(move |c| Box::pin(ops::set_roster(c, r))).await
            }
            async fn roster(&self, id: AgentId) -> StoreResult<Option<AgentRoster>> {
                self.read(move |c| Box::pin(ops::roster(c, id))).await
            }
            async fn rosters(&self) -> StoreResult<Vec<AgentRoster>> {
                self.read(|c| Box::pin(ops::rosters(c))).await
            }
            async fn agent_presence(&self, id: AgentId) -> StoreResult<AgentPresence> {
                self.read(move |c| Box::pin(ops::agent_presence(c, id)))
                    .await
            }
            async fn routing_agents(
                &self,
                only: Option<AgentId>,
            ) -> StoreResult<Vec<RoutingAgent>> {
                self.read(move |c| Box::pin(ops::routing_agents(c, only)))
                    .await
            }
            async fn queued_tickets(&self, limit: u32) -> StoreResult<Vec<QueuedEntry>> {
                self.read(move |c| Box::pin(ops::queued_tickets(c, limit)))
                    .await
            }
            async fn staff_board(&self) -> StoreResult<Vec<RoutingAgent>> {
                self.read(move |c| Box::pin(ops::staff_board(c))).await
            }
            async fn team_queue(
                &self,
                team: kefu_domain::TeamId,
                limit: u32,
            ) -> StoreResult<Vec<QueuedEntry>> {
                self.read(move |c| Box::pin(ops::team_queue(c, team, limit)))
                    .await
            }
            async fn queue_position(&self, id: TicketId) -> StoreResult<Option<u64>> {
                self.read(move |c| Box::pin(ops::queue_position(c, id)))
                    .await
            }
            async fn assign_if_room(&self, a: RoutedAssignment) -> StoreResult<Option<Ticket>> {
                self.assign_if_room_with_jobs(a, Vec::new()).await
            }
            async fn escalate_ticket(&self, e: Escalation) -> StoreResult<Ticket> {
                self.escalate_ticket_with_jobs(e, Vec::new()).await
            }
            async fn send_back(&self, s: SendBack) -> StoreResult<Ticket> {
                self.send_back_with_jobs(s, Vec::new()).await
            }
            async fn transfer_ticket(&self, t: Transfer) -> StoreResult<Ticket> {
                self.transfer_ticket_with_jobs(t, Vec::new()).await
            }
            async fn update_sla(
                &self,
                id: TicketId,
                at: jiff::Timestamp,
                f: SlaUpdate,
            ) -> StoreResult<bool> {
                self.write(move |c| Box::pin(ops::update_sla(c, id, at, f)))
                    .await
            }
            async fn pending_timers(&self, id: TicketId) -> StoreResult<Vec<PendingTimer>> {
                self.read(move |c| Box::pin(ops::pending_timers(c, id)))
                    .await
            }
            async fn claim_due_timers(
                &self,
                now: jiff::Timestamp,
                node_id: &str,
                limit: u32,
                policy: BreachPolicy,
            ) -> StoreResult<Vec<FiredTimer>> {
                let node = node_id.to_owned();
                self.write(move |c| Box::pin(ops::claim_due_timers(c, now, node, limit, policy)))
                    .await
            }
            async fn customer(&self, id: CustomerId) -> StoreResult<Customer> {
                self.read(move |c| Box::pin(ops::customer(c, id))).await
            }
            async fn find_customer(&self, key: &CustomerLookup) -> StoreResult<Option<Customer>> {
                let key = key.clone();
                self.read(move |c| Box::pin(async move { ops::find_customer(c, &key).await }))
                    .await
            }
            async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent> {
                self.create_agent_audited(new, no_audit()).await
            }
            async fn agent(&self, id: AgentId) -> StoreResult<Agent> {
                self.read(move |c| Box::pin(ops::agent(c, id))).await
            }
            async fn agent_login(
                &self,
                email: &str,
            ) -> StoreResult<Option<(Agent, Option<String>)>> {
                let email = email.to_owned();
                self.read(move |c| Box::pin(async move { ops::agent_login(c, &email).await }))
                    .await
            }
            async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
                self.read(|c| Box::pin(ops::list_agents(c))).await
            }
            async fn update_agent(&self, patch: AgentPatch) -> StoreResult<Agent> {
                self.update_agent_audited(patch, no_audit()).await
            }
            async fn create_team(&self, new: NewTeam) -> StoreResult<Team> {
                self.write(move |c| Box::pin(ops::create_team(c, new)))
                    .await
            }
            async fn list_teams(&self) -> StoreResult<Vec<Team>> {
                self.read(|c| Box::pin(ops::list_teams(c))).await
            }
            async fn upsert_category(&self, category: Category) -> StoreResult<Category> {
                self.write(move |c| Box::pin(ops::upsert_category(c, category)))
                    .await
            }
            async fn list_categories(&self) -> StoreResult<Vec<Category>> {
                self.read(|c| Box::pin(ops::list_categories(c))).await
            }
            async fn upsert_sla_policy(&self, policy: SlaPolicy) -> StoreResult<()> {
                self.upsert_sla_policy_audited(policy, no_audit()).await
            }
            async fn list_sla_policies(&self) -> StoreResult<Vec<SlaPolicy>> {
                self.read(|c| Box::pin(ops::list_sla_policies(c))).await
            }
            async fn create_credential(&self, new: NewCredential) -> StoreResult<Credential> {
                self.create_credential_audited(new, no_audit()).await
            }
            async fn credential_by_token(
                &self,
                token_hash: &str,
                now_ms: i64,
            ) -> StoreResult<Option<Credential>> {
                let hash = token_hash.to_owned();
                self.read(move |c| {
                    Box::pin(async move { ops::credential_by_token(c, &hash, now_ms).await })
                })
                .await
            }
            async fn list_credentials(&self, kind: CredentialKind) -> StoreResult<Vec<Credential>> {
                self.read(move |c| Box::pin(ops::list_credentials(c, kind)))
                    .await
            }
            async fn revoke_credential(&self, id: ApiKeyId, now_ms: i64) -> StoreResult<()> {
                self.revoke_credential_audited(id, now_ms, no_audit()).await
            }
            async fn revoke_sessions(&self, agent: AgentId, now_ms: i64) -> StoreResult<u64> {
                self.write(move |c| Box::pin(ops::revoke_sessions(c, agent, now_ms)))
                    .await
            }
            async fn save_articles(&self, save: SaveArticles) -> StoreResult<SaveReport> {
                self.save_articles_audited(save, no_audit()).await
            }
            async fn publish_article(
                &self,
                slug: &str,
                version: Option<u32>,
                at: jiff::Timestamp,
            ) -> StoreResult<KbArticle> {
                self.publish_article_audited(slug, version, at, no_audit())
                    .await
            }
            async fn article(&self, slug: &str, latest: bool) -> StoreResult<Option<KbArticle>> {
                let slug = slug.to_owned();
                self.read(move |c| Box::pin(async move { ops::article(c, &slug, latest).await }))
                    .await
            }
            async fn articles(&self, published_only: bool) -> StoreResult<Vec<KbArticle>> {
                self.read(move |c| Box::pin(ops::articles(c, published_only)))
                    .await
            }
            async fn article_versions(&self, slug: &str) -> StoreResult<Vec<ArticleVersion>> {
                let slug = slug.to_owned();
                self.read(move |c| Box::pin(async move { ops::article_versions(c, &slug).await }))
                    .await
            }
            async fn bot_state(&self, ticket: TicketId) -> StoreResult<Option<String>> {
                self.read(move |c| Box::pin(ops::bot_state(c, ticket)))
                    .await
            }
            async fn recent_bot_states(
                &self,
                since: jiff::Timestamp,
                limit: u32,
            ) -> StoreResult<Vec<String>> {
                self.read(move |c| Box::pin(ops::recent_bot_states(c, since, limit)))
                    .await
            }
            async fn record_bot_exchange(
                &self,
                exchange: BotExchange,
            ) -> StoreResult<Vec<Message>> {
                self.record_bot_exchange_with_jobs(exchange, Vec::new())
                    .await
            }
            async fn flag_ticket(
                &self,
                ticket: TicketId,
                kind: EventKind,
                at: jiff::Timestamp,
            ) -> StoreResult<bool> {
                self.write(move |c| Box::pin(ops::flag_ticket(c, ticket, kind, at)))
                    .await
            }
            async fn unanswered(&self, limit: u32) -> StoreResult<Vec<UnansweredRecord>> {
                self.read(move |c| Box::pin(ops::unanswered(c, limit)))
                    .await
            }
            async fn mark_bot_answer(
                &self,
                ticket: TicketId,
                mark: AnswerMark,
            ) -> StoreResult<bool> {
                self.write(move |c| Box::pin(ops::mark_bot_answer(c, ticket, mark)))
                    .await
            }
            async fn answers_by_version(&self) -> StoreResult<Vec<VersionAnswers>> {
                self.read(|c| Box::pin(ops::answers_by_version(c))).await
            }
            async fn handled_tickets(&self, limit: u32) -> StoreResult<Vec<HandledTicket>> {
                self.read(move |c| Box::pin(ops::handled_tickets(c, limit)))
                    .await
            }
            async fn dismiss(&self, dismissal: Dismissal) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::dismiss(c, dismissal)))
                    .await
            }
            async fn dismissed(&self, kind: &str) -> StoreResult<Vec<String>> {
                let kind = kind.to_owned();
                self.read(move |c| Box::pin(async move { ops::dismissed(c, &kind).await }))
                    .await
            }
            async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
                let key = key.to_owned();
                self.read(move |c| Box::pin(async move { ops::meta(c, &key).await }))
                    .await
            }
            async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
                let (key, value) = (key.to_owned(), value.to_owned());
                self.write(move |c| Box::pin(async move { ops::set_meta(c, &key, &value).await }))
                    .await
            }
            async fn save_attachment(&self, new: NewAttachment) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::save_attachment(c, new)))
                    .await
            }
            async fn attachment(&self, id: &str) -> StoreResult<Option<AttachmentRecord>> {
                let id = id.to_owned();
                self.read(move |c| Box::pin(async move { ops::attachment(c, &id).await }))
                    .await
            }
            async fn bind_attachments(
                &self,
                binding: AttachmentBinding,
            ) -> StoreResult<Vec<AttachmentRecord>> {
                self.write(move |c| Box::pin(ops::bind_attachments(c, binding)))
                    .await
            }
            async fn stale_attachments(
                &self,
                before: jiff::Timestamp,
                limit: u32,
            ) -> StoreResult<Vec<AttachmentRecord>> {
                self.read(move |c| Box::pin(ops::stale_attachments(c, before, limit)))
                    .await
            }
            async fn forget_attachment(&self, id: &str) -> StoreResult<bool> {
                let id = id.to_owned();
                self.write(move |c| Box::pin(async move { ops::forget_attachment(c, &id).await }))
                    .await
            }
            async fn send_survey(
                &self,
                new: NewSurvey,
                jobs: Vec<NewJob>,
            ) -> StoreResult<SurveySent> {
                self.write(move |c| Box::pin(ops::send_survey(c, new, jobs)))
                    .await
            }
            async fn survey(&self, id: &str) -> StoreResult<Option<SurveyRecord>> {
                let id = id.to_owned();
                self.read(move |c| Box::pin(async move { ops::survey(c, &id).await }))
                    .await
            }
            async fn latest_survey(&self, t: TicketId) -> StoreResult<Option<SurveyRecord>> {
                self.read(move |c| Box::pin(ops::latest_survey(c, t))).await
            }
            async fn answer_survey(
                &self,
                answer: SurveyAnswer,
                audit: AuditOf<AnsweredSurvey>,
            ) -> StoreResult<AnsweredSurvey> {
                self.write(move |c| Box::pin(ops::answer_survey(c, answer, audit)))
                    .await
            }
            async fn canned_replies(&self) -> StoreResult<Vec<CannedReply>> {
                self.read(|c| Box::pin(ops::canned_replies(c))).await
            }
            async fn canned_reply(&self, id: i64) -> StoreResult<CannedReply> {
                self.read(move |c| Box::pin(ops::canned_reply(c, id))).await
            }
            async fn create_canned_reply(&self, new: NewCannedReply) -> StoreResult<CannedReply> {
                self.write(move |c| Box::pin(ops::create_canned_reply(c, new)))
                    .await
            }
            async fn update_canned_reply(
                &self,
                id: i64,
                patch: CannedReplyPatch,
            ) -> StoreResult<CannedReply> {
                self.write(move |c| Box::pin(ops::update_canned_reply(c, id, patch)))
                    .await
            }
            async fn delete_canned_reply(&self, id: i64) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::delete_canned_reply(c, id)))
                    .await
            }
            async fn remind_survey(&self, r: SurveyReminder) -> StoreResult<bool> {
                self.write(move |c| Box::pin(ops::remind_survey(c, r)))
                    .await
            }
            async fn satisfaction_scores(
                &self,
                filter: &ScoreFilter,
            ) -> StoreResult<Vec<SatisfactionScore>> {
                let filter = filter.clone();
                self.read(move |c| Box::pin(ops::satisfaction_scores(c, filter)))
                    .await
            }
            async fn review(&self, id: i64) -> StoreResult<Option<Review>> {
                self.read(move |c| Box::pin(ops::review(c, id))).await
            }
            async fn reviews(&self, filter: &ReviewFilter) -> StoreResult<Vec<Review>> {
                let filter = filter.clone();
                self.read(move |c| Box::pin(ops::reviews(c, filter))).await
            }
            async fn change_review(
                &self,
                change: ReviewChange,
                audit: AuditOf<Review>,
            ) -> StoreResult<Review> {
                self.write(move |c| Box::pin(ops::change_review(c, change, audit)))
                    .await
            }
            async fn record_audit(&self, entries: Vec<AuditEntry>) -> StoreResult<()> {
                self.write(move |c| Box::pin(async move { ops::insert_audit(c, &entries).await }))
                    .await
            }
            async fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
                let filter = filter.clone();
                self.read(move |c| Box::pin(ops::audit_log(c, filter)))
                    .await
            }
            async fn create_agent_audited(
                &self,
                new: NewAgent,
                audit: AuditOf<Agent>,
            ) -> StoreResult<Agent> {
                crate::store_impl::with_audit!(self, audit, |c| ops::create_agent(c, new))
            }
            async fn update_agent_audited(
                &self,
                patch: AgentPatch,
                audit: AuditOf<Agent>,
            ) -> StoreResult<Agent> {
                crate::store_impl::with_audit!(self, audit, |c| ops::update_agent(c, patch))
            }
            async fn upsert_sla_policy_audited(
                &self,
                policy: SlaPolicy,
                audit: AuditOf<()>,
            ) -> StoreResult<()> {
                crate::store_impl::with_audit!(self, audit, |c| ops::upsert_sla_policy(c, policy))
            }
            async fn create_credential_audited(
                &self,
                new: NewCredential,
                audit: AuditOf<Credential>,
            ) -> StoreResult<Credential> {
                crate::store_impl::with_audit!(self, audit, |c| ops::create_credential(c, new))
            }
            async fn revoke_credential_audited(
                &self,
                id: ApiKeyId,
                now_ms: i64,
                audit: AuditOf<()>,
            ) -> StoreResult<()> {
                crate::store_impl::with_audit!(self, audit, |c| ops::revoke_credential(
                    c, id, now_ms
                ))
            }
            async fn save_articles_audited(
                &self,
                save: SaveArticles,
                audit: AuditOf<SaveReport>,
            ) -> StoreResult<SaveReport> {
                crate::store_impl::with_audit!(self, audit, |c| ops::save_articles(c, save))
            }
            async fn publish_article_audited(
                &self,
                slug: &str,
                version: Option<u32>,
                at: jiff::Timestamp,
                audit: AuditOf<KbArticle>,
            ) -> StoreResult<KbArticle> {
                let slug = slug.to_owned();
                crate::store_impl::with_audit!(self, audit, |c| ops::publish_article(
                    c, &slug, version, at
                ))
            }
            async fn fold_report_events(
                &self,
                step: crate::RollupStep,
            ) -> StoreResult<crate::RollupProgress> {
                self.write(move |c| Box::pin(ops::fold_report_events(c, step)))
                    .await
            }
            async fn reset_report_rollups(&self) -> StoreResult<()> {
                self.write(|c| Box::pin(ops::reset_report_rollups(c))).await
            }
            async fn report_cursor(&self) -> StoreResult<i64> {
                self.read(|c| Box::pin(ops::report_cursor(c))).await
            }
            async fn report_totals(
                &self,
                query: &crate::RollupQuery,
            ) -> StoreResult<Vec<crate::RollupRow>> {
                let query = query.clone();
                self.read(move |c| Box::pin(async move { ops::report_totals(c, &query).await }))
                    .await
            }
            async fn report_labels(
                &self,
                query: &crate::RollupQuery,
            ) -> StoreResult<Vec<crate::LabelCount>> {
                let query = query.clone();
                self.read(move |c| Box::pin(async move { ops::report_labels(c, &query).await }))
                    .await
            }
            async fn nearest_deadlines(&self, limit: u32) -> StoreResult<Vec<crate::Deadline>> {
                self.read(move |c| Box::pin(ops::nearest_deadlines(c, limit)))
                    .await
            }
        });
    };
}

pub(crate) use {impl_store, with_audit, with_jobs};
