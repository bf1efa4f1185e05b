-- At most one subscription per resource: renewals update it, never duplicate it.
CREATE UNIQUE INDEX graph_subscriptions_resource ON graph_subscriptions (resource);
