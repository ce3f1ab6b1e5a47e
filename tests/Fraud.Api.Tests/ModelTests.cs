using System.Net;
using Fraud.Api.Tests.Infrastructure;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Replay;
using Fraud.Core.Scoring;
using Fraud.Core.Simulation;
using Fraud.TestSupport;
using Xunit.Abstractions;

namespace Fraud.Api.Tests;

/// <summary>
/// The API with a trained model (<c>Fraud:Detector:ModelPath</c>): a supervised model trained, as
/// <c>fraud train</c> does, on the first weeks of simulated traffic; then the whole simulation is
/// ingested through the API and the model's alerts on the unseen last days are compared with the labels.
/// </summary>
public sealed class ModelTests(ModelTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ModelTests.Fixture>
{
    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task Every_transaction_is_scored_by_the_loaded_model_and_it_says_so()
    {
        var stats = await _host.Http.OkJsonAsync("stats");

        Assert.Equal(fixture.ModelVersion, stats.Str("modelVersion"));
        Assert.Equal(fixture.Ingested, stats["byModelVersion"]![fixture.ModelVersion]!.GetValue<long>());
        Assert.Equal(fixture.Ingested, stats["transactions"]!.GetValue<long>());
        Assert.Equal(fixture.ModelVersion, (await _host.Http.OkJsonAsync($"transactions/{fixture.AnyId}")).Str("modelVersion"));
        var health = await _host.Http.OkJsonAsync("health/ready");
        Assert.Equal("Healthy", health.Str("status"));
        Assert.Contains(fixture.ModelVersion, health["checks"]!["model"]!.Str("description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_models_alerts_on_unseen_days_are_mostly_the_labelled_frauds()
    {
        var alerted = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        var from = Uri.EscapeDataString(Tx.Iso(fixture.TestFrom));
        do
        {
            var page = await _host.Http.OkJsonAsync($"anomalies?limit=500&from={from}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            foreach (var anomaly in page.Items())
            {
                Assert.Equal(fixture.ModelVersion, anomaly.Str("modelVersion"));
                Assert.NotEmpty(anomaly["reasons"]!.AsArray());
                alerted.Add(anomaly.Str("transactionId"));
            }

            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        var frauds = fixture.TestLabels.Where(p => p.Value).Select(p => p.Key).ToList();
        var legit = fixture.TestLabels.Count - frauds.Count;
        var caught = frauds.Count(alerted.Contains);
        var falseAlarms = alerted.Count(id => !fixture.TestLabels[id]);
        output.WriteLine($"test days: {fixture.TestLabels.Count} transactions, {frauds.Count} frauds; alerts {alerted.Count}: {caught} frauds, {falseAlarms} false alarms");
        Assert.True(frauds.Count >= 20, $"only {frauds.Count} frauds in the test days");
        Assert.True(caught * 3 >= frauds.Count, $"recall {caught}/{frauds.Count}");
        Assert.True(falseAlarms * 4 <= alerted.Count, $"precision {caught}/{alerted.Count}");
        Assert.True(falseAlarms <= legit / 100, $"{falseAlarms} false alarms among {legit} legitimate transactions");
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private static readonly SimulatorOptions Simulation = new() { Accounts = 1_000, Merchants = 150, Days = 21, Seed = 11 };
        private readonly TempDirectory _directory = TempDirectory.Create("fraud-api-model");
        private ApiHost? _host;

        public ApiHost Host => _host!;

        public string ModelVersion { get; private set; } = "";

        public long Ingested { get; private set; }

        public string AnyId { get; private set; } = "";

        public DateTimeOffset TestFrom { get; } = Simulation.Start.AddDays(16);

        /// <summary>The transactions of the unseen days and whether each is a fraud.</summary>
        public Dictionary<string, bool> TestLabels { get; } = new(StringComparer.Ordinal);

        public async Task InitializeAsync()
        {
            var rows = new TransactionSimulator(Simulation).Generate().ToList();

            // As `fraud train` does: replay in time order with the label delay, train on the first days only.
            var delay = TimeSpan.FromDays(7);
            var replay = new TransactionReplay(new ProfileTracker(new ProfileOptions { LabelDelay = delay }), delay);
            var set = new TrainingSet();
            var features = new float[FeatureVector.Length];
            DateTimeOffset? first = null, last = null;
            foreach (var row in rows)
            {
                var time = row.Transaction.Timestamp;
                if (time >= TestFrom)
                {
                    break;
                }

                if (replay.Step(row, features))
                {
                    set.Add(features, row.IsFraud == true, TimeKey.Seconds(time));
                    first ??= time;
                    last = time;
                }
            }

            var model = new ModelTrainer(new TrainerOptions { Iterations = 100 }, TimeProvider.System)
                .Train(set, new TrainingContext(first, last, delay, new ScoringOptions().AlertThreshold));
            Assert.Equal(ModelKind.Supervised, model.Manifest.Kind);
            var path = _directory.Combine("model.zip");
            ModelFile.Save(model, path);
            ModelVersion = model.Version;

            _host = await ApiHost.StartAsync($"Fraud:Detector:ModelPath={path}");
            foreach (var chunk in rows.Select(r => r.Transaction).Chunk(5_000))
            {
                using var response = await _host.Http.PostAsync("transactions", Tx.Raw(System.Text.Json.JsonSerializer.Serialize(chunk, FraudJsonContext.Default.TransactionArray)));
                await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
            }

            Ingested = rows.Select(r => r.Transaction.TransactionId).Distinct().LongCount();
            AnyId = rows[^1].Transaction.TransactionId;
            foreach (var row in rows.Where(r => r.Transaction.Timestamp >= TestFrom))
            {
                TestLabels[row.Transaction.TransactionId] = row.IsFraud == true;
            }
        }

        public async Task DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }

            _directory.Dispose();
        }
    }
}
