//! The policy-update steps, written once and expanded for each backend next to `ops.rs`.
//! An acknowledgement is written once: acknowledging again keeps the first time.

macro_rules! policy_ops {
    () => {
        const POLICY_COLUMNS: &str = "id, title, body, must_read, author_agent_id, published_at";

        fn policy_row(r: &impl decode::Get) -> StoreResult<PolicyUpdate> {
            Ok(PolicyUpdate {
                id: r.i64("id")?,
                title: r.text("title")?,
                body: r.text("body")?,
                must_read: r.i64("must_read")? != 0,
                author: r.opt_i64("author_agent_id")?.map(AgentId),
                published_at: decode::ts(r.i64("published_at")?)?,
            })
        }

        pub(crate) async fn publish_policy(
            c: &mut Conn,
            new: NewPolicy,
            audit: AuditOf<PolicyUpdate>,
        ) -> StoreResult<PolicyUpdate> {
            let sql = format!(
                "INSERT INTO policy_updates (title, body, must_read, author_agent_id, published_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING {POLICY_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(&new.title)
                .bind(&new.body)
                .bind(i64::from(new.must_read))
                .bind(new.author.map(|a| a.0))
                .bind(ms(new.at))
                .fetch_one(&mut *c)
                .await?;
            let policy = policy_row(&row)?;
            insert_audit(c, &audit(&policy)).await?;
            Ok(policy)
        }

        pub(crate) async fn policy_updates(c: &mut Conn, limit: u32) -> StoreResult<Vec<PolicyUpdate>> {
            let sql = format!(
                "SELECT {POLICY_COLUMNS} FROM policy_updates ORDER BY published_at DESC, id DESC LIMIT $1"
            );
            let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(&mut *c).await?;
            rows.iter().map(policy_row).collect()
        }

        pub(crate) async fn policy_update(c: &mut Conn, id: i64) -> StoreResult<Option<PolicyUpdate>> {
            let sql = format!("SELECT {POLICY_COLUMNS} FROM policy_updates WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(policy_row).transpose()
        }

        pub(crate) async fn unread_policies(c: &mut Conn, agent: AgentId) -> StoreResult<Vec<PolicyUpdate>> {
            let sql = format!(
                "SELECT {POLICY_COLUMNS} FROM policy_updates p WHERE p.must_read = 1 AND NOT EXISTS \
                 (SELECT 1 FROM policy_acknowledgements a WHERE a.policy_id = p.id AND a.agent_id = $1) \
                 ORDER BY p.published_at, p.id"
            );
            let rows = sqlx::query(&sql).bind(agent.0).fetch_all(&mut *c).await?;
            rows.iter().map(policy_row).collect()
        }

        pub(crate) async fn acknowledge_policy(c: &mut Conn, ack: PolicyAck) -> StoreResult<jiff::Timestamp> {
            if policy_update(c, ack.policy).await?.is_none() {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "INSERT INTO policy_acknowledgements (policy_id, agent_id, acknowledged_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (policy_id, agent_id) DO NOTHING",
            )
            .bind(ack.policy)
            .bind(ack.agent.0)
            .bind(ms(ack.at))
            .execute(&mut *c)
            .await?;
            let at: i64 = sqlx::query(
                "SELECT acknowledged_at FROM policy_acknowledgements WHERE policy_id = $1 AND agent_id = $2",
            )
            .bind(ack.policy)
            .bind(ack.agent.0)
            .fetch_one(&mut *c)
            .await?
            .try_get("acknowledged_at")?;
            decode::ts(at)
        }

        pub(crate) async fn policy_acknowledgements(
            c: &mut Conn,
            policy: i64,
        ) -> StoreResult<Vec<Acknowledgement>> {
            let rows = sqlx::query(
                "SELECT agent_id, acknowledged_at FROM policy_acknowledgements WHERE policy_id = $1 \
                 ORDER BY acknowledged_at, agent_id",
            )
            .bind(policy)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Acknowledgement {
                        agent: AgentId(r.i64("agent_id")?),
                        at: decode::ts(r.i64("acknowledged_at")?)?,
                    })
                })
                .collect()
        }
    };
}

pub(crate) use policy_ops;
