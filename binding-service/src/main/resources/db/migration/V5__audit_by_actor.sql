-- Wrong proofs are counted per user (BindAttempts): the audit by actor and time.
CREATE INDEX binding_audit_actor ON binding_audit (actor, at);
