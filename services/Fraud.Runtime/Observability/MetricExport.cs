using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Prometheus;

namespace Fraud.Runtime.Observability;

/// <summary>
/// What <c>/metrics</c> exports beside <see cref="RuntimeMetrics"/>, the detector's metrics and the <c>http_*</c> request
/// metrics: prometheus-net's process and GC figures (<c>dotnet_*</c>, <c>process_*</c>) and the
/// .NET meters in <see cref="Meters"/>.
/// </summary>
/// <remarks>
/// Left out: event counters (they repeat the <c>System.Runtime</c> meter, and listening to them
/// makes Kestrel and hosting raise an event per request) and the per-request meters of hosting,
/// routing, authentication, authorization, rate limiting, HttpClient and Npgsql's commands
/// (<c>http_*</c> already counts and times requests). Recording those cost about a tenth of the
/// CPU and allocations of a <c>GET /anomalies/{id}</c>.
/// </remarks>
public static class MetricExport
{
    /// <summary>The .NET meters exported: the runtime's, Npgsql's (its connection pool only) and Kestrel's connections.</summary>
    public static readonly FrozenSet<string> Meters = FrozenSet.ToFrozenSet(
        ["System.Runtime", "Npgsql", "Microsoft.AspNetCore.Server.Kestrel"], StringComparer.Ordinal);

    /// <summary>Whether an instrument is exported: those of <see cref="Meters"/>, but of Npgsql only the pool's (<c>npgsql_db_client_connection_*</c>), not the per-command ones.</summary>
    public static bool Exports(Instrument instrument) =>
        Meters.Contains(instrument.Meter.Name)
        && (instrument.Meter.Name != "Npgsql" || instrument.Name.StartsWith("db.client.connection.", StringComparison.Ordinal));

    /// <summary>Applies the choice to the default registry; takes effect if called before its first scrape.</summary>
    public static void Configure()
    {
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate = Exports);
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true });
    }
}
