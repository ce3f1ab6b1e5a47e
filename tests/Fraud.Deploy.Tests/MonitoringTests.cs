using System.Text.Json;
using System.Text.RegularExpressions;
using Fraud.Deploy.Tests.Infrastructure;

namespace Fraud.Deploy.Tests;

/// <summary>The dashboard and the alert rules use metrics that exist and runbooks that exist.</summary>
public sealed partial class MonitoringTests
{
    private static readonly Lazy<JsonDocument> Dashboard = new(() => JsonDocument.Parse(Repo.Read("monitoring", "dashboards", "fraud-dapr.json")));

    private static YamlDoc Rules => Yaml.LoadFile(Repo.Path("monitoring", "prometheus-rules.yaml")).Single();

    private static IEnumerable<JsonElement> Panels(JsonElement container) =>
        container.TryGetProperty("panels", out var panels)
            ? panels.EnumerateArray().SelectMany(p => new[] { p }.Concat(Panels(p)))
            : [];

    private static IEnumerable<string> DashboardExpressions() =>
        Panels(Dashboard.Value.RootElement)
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString() ?? "");

    private static IEnumerable<(string Name, string Expr)> RuleExpressions() =>
        Rules.Root.List("spec", "groups").SelectMany(g => g.List("rules"))
            .Select(r => (r.Str("alert") ?? r.Str("record") ?? "?", r.Str("expr") ?? ""));

    [Fact]
    public void Dashboard_panels_are_well_formed()
    {
        var root = Dashboard.Value.RootElement;
        Assert.Equal("fraud-dapr", root.GetProperty("uid").GetString());
        var panels = Panels(root).ToList();
        Assert.True(panels.Count >= 15, $"{panels.Count} panels");
        var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains("datasource", variables);

        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var title = panel.GetProperty("title").GetString();
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.True(panel.GetProperty("targets").GetArrayLength() > 0, $"panel '{title}' has no query");
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString() ?? "";
                foreach (Match m in Variable().Matches(expr))
                {
                    Assert.True(variables.Contains(m.Groups[1].Value), $"panel '{title}' uses ${m.Groups[1].Value}, which the dashboard does not define");
                }
            }
        }
    }

    [Fact]
    public void Dashboard_shows_every_area_the_issue_asks_for()
    {
        var all = string.Join("\n", DashboardExpressions());
        foreach (var metric in new[]
        {
            "fraud_transactions_processed_total", "fraud_detection_latency_seconds_bucket", "fraud_anomalies_total",
            "kafka_consumergroup_lag", "kube_deployment_status_replicas_available", "fraud_anomaly_buffer_size",
            "npgsql_db_client_connection_count", "fraud_dead_letters_total", "http_requests_received_total",
        })
        {
            Assert.Contains(metric, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dashboards_and_alerts_only_use_metrics_that_are_exported()
    {
        var known = new HashSet<string>(Contract.ServiceMetrics(), StringComparer.Ordinal);
        known.UnionWith(Contract.ExternalMetrics);
        Assert.Contains("fraud_transactions_processed_total", known); // the services' metric names were read

        var unknown = DashboardExpressions().Select(e => ("dashboard", e)).Concat(RuleExpressions())
            .SelectMany(x => MetricNames(x.Item2).Select(n => (x.Item1, n)))
            .Where(x => !known.Contains(x.n))
            .Select(x => $"{x.Item1}: {x.n}")
            .Distinct()
            .ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_alert_is_complete_and_has_a_runbook_section()
    {
        var headings = Headings(Repo.Read("docs", "operations.md"));
        var names = new List<string>();
        foreach (var rule in Rules.Root.List("spec", "groups").SelectMany(g => g.List("rules")))
        {
            var alert = rule.Str("alert");
            Assert.NotNull(alert);
            names.Add(alert);
            Assert.Contains(rule.Str("labels", "severity"), new[] { "warning", "critical" });
            Assert.False(string.IsNullOrWhiteSpace(rule.Str("annotations", "summary")), $"{alert}: summary");
            Assert.False(string.IsNullOrWhiteSpace(rule.Str("annotations", "description")), $"{alert}: description");
            if (rule.Str("for") is { } duration)
            {
                Manifests.GoDuration(duration);
            }

            var expr = rule.Str("expr")!;
            Assert.Equal(expr.Count(c => c == '('), expr.Count(c => c == ')'));
            Assert.Equal(expr.Count(c => c == '{'), expr.Count(c => c == '}'));

            var runbook = rule.Str("annotations", "runbook_url");
            Assert.NotNull(runbook);
            Assert.EndsWith("docs/operations.md#" + alert.ToLowerInvariant(), runbook, StringComparison.Ordinal);
            Assert.True(headings.Contains(alert.ToLowerInvariant()), $"docs/operations.md has no section '{alert}'");
        }

        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var needed in new[] { "FraudConsumerLagGrowing", "FraudApiErrorRate", "FraudDeadLetters", "FraudLedgerPoolExhausted", "FraudPodsNotReady" })
        {
            Assert.Contains(needed, names);
        }
    }

    [Fact]
    public void Alert_thresholds_use_the_working_throughput_and_lag_threshold_of_docs_scaling()
    {
        var figures = KedaTests.ScalingFigures();
        var rules = Repo.Read("monitoring", "prometheus-rules.yaml");
        Assert.Contains($"{figures["per-pod throughput"]} * sum(kube_deployment_status_replicas_available", rules, StringComparison.Ordinal);
        Assert.Contains($"{figures["per-pod throughput"]} * sum(kube_deployment_status_replicas_available", Repo.Read("monitoring", "dashboards", "fraud-dapr.json"), StringComparison.Ordinal);
        Assert.Contains($"> {figures["lagThreshold"]}", rules, StringComparison.Ordinal);
    }

    /// <summary>GitHub's anchors for the markdown headings of a document.</summary>
    internal static HashSet<string> Headings(string markdown) =>
        Heading().Matches(markdown)
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), @"[^a-z0-9 _-]", "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Metric names in a PromQL expression (labels, strings, functions and keywords removed).</summary>
    internal static IEnumerable<string> MetricNames(string expr)
    {
        var text = Braces().Replace(expr, " ");
        text = Strings().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        foreach (Match m in Identifier().Matches(text))
        {
            var name = m.Value;
            var next = text[(m.Index + m.Length)..].TrimStart();
            if (next.StartsWith('(') || PromQlWords.Contains(name))
            {
                continue; // a function or a keyword
            }

            yield return name;
        }
    }

    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "le",
    };

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\$\{?([a-zA-Z_][a-zA-Z0-9_]*)")]
    private static partial Regex Variable();

    /// <summary>
    /// The app's route label arrives in Prometheus as <c>exported_endpoint</c> when the PodMonitor does
    /// not honour the app's labels (its target label <c>endpoint</c> wins): a filter on <c>endpoint</c>
    /// would compare route patterns with the port name and exclude nothing.
    /// </summary>
    [Fact]
    public void The_HPA_metric_filters_probes_on_the_label_the_routes_arrive_in()
    {
        var apps = Yaml.LoadFile(Repo.Path("monitoring", "podmonitors.yaml")).Single(d => d.Name == "fraud-apps");
        var honoured = apps.Root.List("spec", "podMetricsEndpoints").All(e => Equals(e.At("honorLabels"), true));
        var routeLabel = honoured ? "endpoint" : "exported_endpoint";
        var values = Yaml.LoadFile(Repo.Path("monitoring", "prometheus-adapter-values.yaml")).Single();
        var query = values.Root.List("rules", "custom").Single().Str("metricsQuery")!;
        Assert.Matches($@"[{{,]{routeLabel}!~""/health", query);
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
