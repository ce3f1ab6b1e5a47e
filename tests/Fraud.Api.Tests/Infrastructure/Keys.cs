namespace Fraud.Api.Tests.Infrastructure;

/// <summary>API keys for tests: one per role, as configuration settings.</summary>
public static class Keys
{
    public const string Ingest = "ingest-key-7f3a9c1e5b";
    public const string Analyst = "analyst-key-2d8e4f6a0c";
    public const string Admin = "admin-key-9b1c3e5d7f00";

    public const string IngestName = "feeder";
    public const string AnalystName = "alice";
    public const string AdminName = "root";

    /// <summary>Settings for key number <paramref name="index"/>.</summary>
    public static IEnumerable<string> Setting(int index, string name, string key, string role, int? requestsPerSecond = null)
    {
        yield return $"Fraud:Api:Keys:{index}:Name={name}";
        yield return $"Fraud:Api:Keys:{index}:Key={key}";
        yield return $"Fraud:Api:Keys:{index}:Roles:0={role}";
        if (requestsPerSecond is { } rps)
        {
            yield return $"Fraud:Api:Keys:{index}:RequestsPerSecond={rps}";
        }
    }

    /// <summary>The three keys: ingest (feeder), analyst (alice), admin (root).</summary>
    public static IEnumerable<string> All() =>
        Setting(0, IngestName, Ingest, "ingest").Concat(Setting(1, AnalystName, Analyst, "analyst")).Concat(Setting(2, AdminName, Admin, "admin"));
}
