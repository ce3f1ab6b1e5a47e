using System.Diagnostics;
using System.Text.Json;
using Fraud.Runtime.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fraud.Runtime.Health;

/// <summary>
/// <c>/health/live</c> (the process answers: no checks, so a slow database never gets a pod
/// killed), <c>/health/ready</c> (checks tagged ready: the sidecar and the model under Dapr, the
/// ledger embedded) and <c>/health</c>
/// (every check with its data, plus memory) as JSON.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapFraudHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(ServiceRoutes.Live, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteDetails })
            .ExcludeFromDescription();
        endpoints.MapHealthChecks(ServiceRoutes.Ready, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = WriteDetails,
        }).ExcludeFromDescription();
        endpoints.MapHealthChecks(ServiceRoutes.Health, new HealthCheckOptions { ResponseWriter = WriteDetails }).ExcludeFromDescription();
        return endpoints;
    }

    private static Task WriteDetails(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        using var process = Process.GetCurrentProcess();
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["durationMs"] = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => (object?)new Dictionary<string, object?>
            {
                ["status"] = e.Value.Status.ToString(),
                ["description"] = e.Value.Description ?? e.Value.Exception?.Message,
                ["data"] = e.Value.Data.Count > 0 ? e.Value.Data : null,
            }),
            ["memory"] = new Dictionary<string, object>
            {
                ["workingSetBytes"] = process.WorkingSet64,
                ["gcHeapBytes"] = GC.GetTotalMemory(forceFullCollection: false),
                ["gcCommittedBytes"] = GC.GetGCMemoryInfo().TotalCommittedBytes,
            },
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson.Options));
    }

    private static class HealthJson
    {
        // Health bodies are small and rare: reflection-based serialisation of dictionaries is fine here.
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
    }
}
