package io.marketbill.contracts;

import java.time.Instant;

/**
 * The organization's stopped deployments will be deleted at {@code deleteAt}; the user must back up before (R12).
 *
 * @param organizationId the organization
 * @param deleteAt       when they are deleted (UTC)
 */
public record DeploymentsDeletionScheduled(String organizationId, Instant deleteAt) implements BindingEvent {
}
