//! The audit log's steps, written once and expanded for each backend next to `ops.rs`:
//! `insert_audit` runs inside any step's transaction (the `*_audited` store methods), and
//! `audit_log` reads a page newest first by id (ids only grow, so the id is the cursor).

macro_rules! audit_ops {
    () => {
        pub(crate) async fn insert_audit(c: &mut Conn, entries: &[AuditEntry]) -> StoreResult<()> {
            for e in entries {
                let agent = match e.actor {
                    AuditActor::Agent(id) => Some(id.0),
                    AuditActor::System => None,
                };
                sqlx::query(
                    "INSERT INTO audit_log (at, actor_agent_id, actor, action, subject, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(ms(e.at))
                .bind(agent)
                .bind(e.actor.key())
                .bind(&e.action)
                .bind(&e.subject)
                .bind(to_json(&e.detail)?)
                .execute(&mut *c)
                .await?;
            }
            Ok(())
        }

        pub(crate) async fn audit_log(
            c: &mut Conn,
            f: AuditFilter,
        ) -> StoreResult<Vec<AuditRecord>> {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT id, at, actor, action, subject, detail FROM audit_log WHERE 1 = 1",
            );
            if let Some(actor) = &f.actor {
                q.push(" AND actor = ").push_bind(actor.key());
            }
            if let Some(action) = &f.action {
                q.push(" AND action = ").push_bind(action.clone());
            }
            if let Some(subject) = &f.subject {
                q.push(" AND subject = ").push_bind(subject.clone());
            }
            if let Some(before) = f.before {
                q.push(" AND id < ").push_bind(before);
            }
            q.push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(f.limit));
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    let actor = r.text("actor")?;
                    Ok(AuditRecord {
                        id: r.i64("id")?,
                        entry: AuditEntry {
                            actor: AuditActor::from_key(&actor).ok_or_else(|| {
                                StoreError::Backend(format!(
                                    "stored audit actor {actor:?} is not valid"
                                ))
                            })?,
                            action: r.text("action")?,
                            subject: r.opt_text("subject")?,
                            detail: serde_json::from_str(&r.text("detail")?)
                                .map_err(|e| StoreError::Backend(e.to_string()))?,
                            at: decode::ts(r.i64("at")?)?,
                        },
                    })
                })
                .collect()
        }
    };
}

pub(crate) use audit_ops;
