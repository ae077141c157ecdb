package io.marketbill.contracts;

/**
 * A change in the vendor's organization directory, published by the vendor's platform on {@link Topics#DIRECTORY}
 * (key: the organization id; for {@link UserUpdated} the user id). The envelope's {@code subscriptionId} and
 * {@code marketplace} are null.
 */
public sealed interface DirectoryEvent extends EventPayload permits OrganizationCreated, OrganizationRenamed,
        OrganizationDeleted, MemberAdded, MemberRemoved, MemberRoleChanged, UserUpdated {
}
