namespace Crm.Tests.Analytics;

/// <summary>
/// Tests that train models: they keep both cores busy for seconds, so they run on their own, not beside the tests
/// that time live paths (ingest under an outage, pushes) and would starve them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModelTrainingCollection
{
    public const string Name = "Model training";
}
