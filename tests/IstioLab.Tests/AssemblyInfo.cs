// Pulumi's test engine is process-wide: its tests must not run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
