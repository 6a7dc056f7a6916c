"""Archives: months of recordings described in batches that can stop and go on. When each
recording started, from its name or its metadata (`starts`); which files an earlier output holds
already, and the finished records carried into the next run (`resume`); records as typed
Parquet, written a row group at a time so that an interruption keeps finished rows (`parquet`);
and a season of windows aggregated by hour of day and by day (`diary`).

May import: errors, labels, result, records."""
