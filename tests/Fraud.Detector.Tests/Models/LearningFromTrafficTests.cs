using Fraud.Contracts;
using Fraud.Core.Model;
using Fraud.Core.Simulation;
using Fraud.Detector.Detection;
using Fraud.Detector.Feedback;
using Fraud.Detector.Models;
using Fraud.Detector.Tests.Infrastructure;
using Fraud.Runtime.Ledger;
using Fraud.Runtime.Ledger.Sqlite;
using Fraud.Runtime.Messaging;
using Fraud.TestSupport;

namespace Fraud.Detector.Tests.Models;

/// <summary>
/// A detector started without a model file, fed the simulator's stream through its own pipeline:
/// what it alerts on as it learns, first from traffic alone, then from analysts' reviews.
/// </summary>
public sealed class LearningFromTrafficTests
{
    private const int Bootstrap = 20_000;
    private const int Batch = 500;

    private static readonly SimulatorOptions Stream = new() { Accounts = 2_500, Merchants = 500, Days = 30, Seed = 11 };

    /// <summary>Counts of one phase of the stream.</summary>
    private sealed class Tally
    {
        public int Transactions { get; set; }
        public int Alerts { get; set; }
        public int Frauds { get; set; }
        public int FraudsAlerted { get; set; }
        public double AlertRate => Alerts / (double)Transactions;
        public double Precision => FraudsAlerted / (double)Math.Max(Alerts, 1);
        public override string ToString() =>
            $"{Transactions:N0} transactions, {Alerts:N0} alerts ({AlertRate:P2}), precision {Precision:P1}, {FraudsAlerted}/{Frauds} frauds alerted";
    }

    [Fact]
    public async Task The_unsupervised_model_alerts_on_its_contamination_of_a_live_stream_as_profiles_mature()
    {
        await using var host = await StartAsync(supervisedAfterFrauds: 0);
        var models = host.Get<ModelHost>();
        var unsupervised = new Tally();
        var firstModel = new Tally();
        var published = 0;
        var calibrated = false;
        await foreach (var (batch, truth) in FeedAsync(host, models))
        {
            var anomalies = NewAnomalies(host, ref published);
            // From the unsupervised model's first transaction: its budget starts from its training sample.
            if (models.Current.Model is UnsupervisedModel)
            {
                calibrated = true;
                Count(unsupervised, batch, truth, anomalies);
                if (firstModel.Transactions < 5_000)
                {
                    Count(firstModel, batch, truth, anomalies);
                }
            }
        }

        Assert.True(calibrated, "the unsupervised model was never trained");
        Assert.Equal(0.01, models.Current.Budget!.Target);
        Assert.True(unsupervised.Transactions > 100_000, unsupervised.ToString());
        Assert.True(unsupervised.AlertRate is >= 0.007 and <= 0.014, unsupervised.ToString());
        // Its first transactions too: a budget that waited for 2,000 live ones alerted on 2.0 % of the first 5,000.
        Assert.True(firstModel.AlertRate <= 0.015, firstModel.ToString());
        // What the model alone would flag by the end: the reason the threshold has to follow the stream.
        Assert.True(models.Current.Budget.UnbudgetedRate > 0.03, $"unbudgeted {models.Current.Budget.UnbudgetedRate:P2}");
    }

    [Fact]
    public async Task Reviews_of_its_alerts_hand_over_to_a_supervised_model_after_fifty_confirmed_frauds()
    {
        await using var host = await StartAsync(supervisedAfterFrauds: null);
        var models = host.Get<ModelHost>();
        var verdicts = host.Get<IEventHandler<Verdict>>();
        var labels = host.Get<LabelSync>();
        var before = new Tally();
        var after = new Tally();
        var published = 0;
        var confirmed = 0;
        SupervisedModel? handover = null;
        await foreach (var (batch, truth) in FeedAsync(host, models))
        {
            var anomalies = NewAnomalies(host, ref published);
            Count(handover is null ? before : after, batch, truth, anomalies);

            // An analyst reviews every alert; the detector learns the verdicts through the ledger.
            await verdicts.HandleAsync([.. anomalies.Select(a => Review(a, truth[a.TransactionId]))], CancellationToken.None);
            await labels.SyncOnceAsync(CancellationToken.None);
            confirmed += anomalies.Count(a => truth[a.TransactionId]);
            if (handover is null && confirmed >= 50)
            {
                handover = await ModelWaits.NewModelAsync<SupervisedModel>(models);
                Assert.InRange(handover.Manifest.TrainingFrauds, 50, 100);
                Assert.StartsWith($"supervised model {handover.Version}, learnt from {handover.Manifest.TrainingFrauds} reviewed frauds", models.Description);
            }
        }

        Assert.NotNull(handover);
        Assert.True(models.Current.Model is SupervisedModel current && current.Manifest.TrainingFrauds > handover.Manifest.TrainingFrauds,
            "retrained as reviews grew");
        Assert.True(after.Transactions > 50_000, after.ToString());
        Assert.True(after.Precision >= 0.4, $"before: {before}; after: {after}");
        Assert.True(after.FraudsAlerted >= 0.3 * after.Frauds, $"before: {before}; after: {after}");
        Assert.InRange(after.AlertRate, 0.001, 0.01);

        // Each model learnt is kept in the ledger, for the next start.
        var kept = await KeptModelAsync(host);
        Assert.Equal(models.Current.ModelVersion, kept.Version);
    }

    [Fact]
    public async Task A_detector_without_a_model_file_starts_from_the_newest_model_learnt_before_it()
    {
        using var directory = TempDirectory.Create("learnt-model");
        var ledgerPath = directory.Combine("ledger.db");
        var learnt = TrainSmallModel(frauds: 60);
        using (var ledger = new SqliteLedger(ledgerPath, new LedgerOptions()))
        {
            await ledger.MigrateAsync(CancellationToken.None);
            using var buffer = new MemoryStream();
            ModelFile.Save(learnt, buffer);
            await ledger.SaveLearnedModelAsync(learnt.Version, learnt.Manifest.CreatedAt, buffer.ToArray(), CancellationToken.None);
        }

        await using var host = await DetectorHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Fraud:Detector:BootstrapRows"] = $"{Bootstrap}",
            ["Fraud:Ledger:ConnectionString"] = ledgerPath,
        });
        var models = host.Get<ModelHost>();

        var restored = await ModelWaits.NewModelAsync<SupervisedModel>(models);
        Assert.Equal(learnt.Version, restored.Version);
        Assert.Equal($"supervised model {learnt.Version}, learnt from 60 reviewed frauds, before this start", models.Description);
        // It scores as the model it was: the same log-odds for the same features.
        var row = new float[Fraud.Core.Features.FeatureVector.Length];
        Assert.Equal(learnt.LogOdds(row), restored.LogOdds(row), 9);
    }

    [Fact]
    public async Task Verdicts_on_alerts_another_detector_scored_train_it_and_a_restarted_detector_keeps_them()
    {
        using var directory = TempDirectory.Create("kept-features");
        var settings = new Dictionary<string, string>
        {
            ["Fraud:Detector:BootstrapRows"] = "2000",
            ["Fraud:Ledger:ConnectionString"] = directory.Combine("ledger.db"),
        };

        // Detector A scored 120 alerts (60 of them frauds with large amounts) and stopped before its
        // next label sync: it keeps their features in the ledger as it stops.
        var alerts = Enumerable.Range(0, 120).Select(i => Alert($"kept-{i}", fraud: i % 2 == 0)).ToList();
        await using (var a = await DetectorHost.StartAsync(settings: settings))
        {
            await a.Ledger.WriteAsync([.. alerts.Select(x => x.Anomaly)], CancellationToken.None);
            foreach (var (anomaly, row, _) in alerts)
            {
                a.Get<ModelHost>().Remember(anomaly.TransactionId, row);
            }
        }

        // Detector B, another replica, gets the verdicts: it never saw the alerts, and learns from them.
        SupervisedModel fromVerdicts;
        await using (var b = await DetectorHost.StartAsync(settings: settings))
        {
            var models = b.Get<ModelHost>();
            await FeedOrdinaryTrafficAsync(b, skip: 0, count: 1_500);
            foreach (var (anomaly, _, fraud) in alerts)
            {
                await b.Ledger.RecordLabelAsync(new FraudLabel(anomaly.TransactionId, anomaly.AccountId, null, anomaly.Timestamp, fraud), DetectorHost.Now, CancellationToken.None);
            }

            await b.Get<LabelSync>().SyncOnceAsync(CancellationToken.None);
            fromVerdicts = await ModelWaits.NewModelAsync<SupervisedModel>(models);
            // Training starts at the 50th fraud, in the background, while the last ten are still being learnt.
            Assert.InRange(fromVerdicts.Manifest.TrainingFrauds, 50, 60);
            await KeptModelAsync(b);
        }

        // Detector C starts after all of it: it adopts B's model, and keeps the 60 reviewed frauds
        // too, so its first traffic sample trains a supervised model again (not waiting for 60 new ones).
        await using var c = await DetectorHost.StartAsync(settings: settings);
        var restarted = c.Get<ModelHost>();
        Assert.Equal(fromVerdicts.Version, (await ModelWaits.NewModelAsync<SupervisedModel>(restarted)).Version);
        await Poll.UntilAsync(() => c.Get<LabelSync>().Watermark > 0, "the label sync to start", TimeSpan.FromSeconds(30));
        // New transactions: those B scored are in the ledger, and a copy seen before is not sampled again.
        await FeedOrdinaryTrafficAsync(c, skip: 1_500, count: 2_000);
        var retrained = await ModelWaits.NewModelAsync<SupervisedModel>(restarted, previous: restarted.Current.Model);
        Assert.Equal(60, retrained.Manifest.TrainingFrauds);
    }

    /// <summary>An alert as a detector scored it, with its features: frauds have large amounts.</summary>
    private static (Anomaly Anomaly, float[] Row, bool Fraud) Alert(string id, bool fraud)
    {
        var amount = fraud ? 2_500m : 60m;
        var tx = new Transaction { TransactionId = id, AccountId = $"acc-{id}", Timestamp = Events.T0, Amount = amount };
        var row = new float[Fraud.Core.Features.FeatureVector.Length];
        row.AsSpan().Fill(Fraud.Core.Features.FeatureVector.Missing);
        row[(int)Fraud.Core.Features.Feature.Amount] = (float)amount;
        return (new Anomaly(new ScoredTransaction(tx, 0.9, Severity.High, [], "rules", DetectorHost.Now)), row, fraud);
    }

    private static async Task FeedOrdinaryTrafficAsync(DetectorHost host, int skip, int count)
    {
        var pipeline = host.Get<DetectionPipeline>();
        foreach (var batch in new TransactionSimulator(Stream).Generate().Select(r => r.Transaction).Skip(skip).Take(count).Chunk(Batch))
        {
            await pipeline.HandleAsync(batch, CancellationToken.None);
        }
    }


    /// <summary>A supervised model on synthetic rows: the frauds have large amounts.</summary>
    private static SupervisedModel TrainSmallModel(int frauds)
    {
        var random = new Random(5);
        var set = new TrainingSet();
        var row = new float[Fraud.Core.Features.FeatureVector.Length];
        for (var i = 0; i < 3_000; i++)
        {
            var fraud = i < frauds;
            row[(int)Fraud.Core.Features.Feature.Amount] = (float)(fraud ? 2_000 + random.Next(3_000) : 10 + random.Next(90));
            set.Add(row, fraud, seconds: i);
        }

        return new ModelTrainer(new TrainerOptions { ValidationFraction = 0, Iterations = 20 }, TimeProvider.System)
            .TrainSupervised(set, new TrainingContext(null, null, TimeSpan.Zero, 0.5));
    }

    private static async Task<FraudModel> KeptModelAsync(DetectorHost host)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await host.Ledger.LatestLearnedModelAsync(CancellationToken.None) is { } content)
            {
                using var stream = new MemoryStream(content);
                var model = ModelFile.Load(stream, "kept");
                if (model.Version == host.Get<ModelHost>().Current.ModelVersion || DateTime.UtcNow > deadline)
                {
                    return model;
                }
            }
            else if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no learnt model was kept in the ledger within 30 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A detector without a model file; <paramref name="supervisedAfterFrauds"/> null keeps the default.</summary>
    private static Task<DetectorHost> StartAsync(int? supervisedAfterFrauds)
    {
        var settings = new Dictionary<string, string> { ["Fraud:Detector:BootstrapRows"] = $"{Bootstrap}" };
        if (supervisedAfterFrauds is { } frauds)
        {
            settings["Fraud:Detector:SupervisedAfterFrauds"] = $"{frauds}";
        }

        return DetectorHost.StartAsync(settings: settings);
    }

    /// <summary>
    /// The stream in deliveries of <see cref="Batch"/>, each handled by the pipeline before it is
    /// yielded with the truth of its transactions. When a sample completes, waits for its model, so
    /// the phases do not depend on how fast training runs on the machine.
    /// </summary>
    private static async IAsyncEnumerable<(List<Transaction> Batch, Dictionary<string, bool> Truth)> FeedAsync(DetectorHost host, ModelHost models)
    {
        var pipeline = host.Get<DetectionPipeline>();
        var batch = new List<Transaction>(Batch);
        var truth = new Dictionary<string, bool>(StringComparer.Ordinal);
        var fed = 0;
        foreach (var row in new TransactionSimulator(Stream).Generate())
        {
            batch.Add(row.Transaction);
            truth[row.Transaction.TransactionId] = row.IsFraud == true;
            if (batch.Count < Batch)
            {
                continue;
            }

            var model = models.Current.Model;
            await pipeline.HandleAsync(batch, CancellationToken.None);
            fed += batch.Count;
            if (fed % Bootstrap == 0 && IsSampleDue(fed))
            {
                await ModelWaits.NewModelAsync<FraudModel>(models, previous: model);
            }

            yield return (batch, truth);
            batch = new List<Transaction>(Batch);
        }
    }

    /// <summary>Samples complete after 1, 3, 7, 15, … bootstrap sizes (each interval twice the last, up to eight).</summary>
    private static bool IsSampleDue(int fed)
    {
        long due = 0;
        for (long interval = Bootstrap; due < fed; interval = Math.Min(interval * 2, 8L * Bootstrap))
        {
            due += interval;
        }

        return due == fed;
    }

    private static List<Anomaly> NewAnomalies(DetectorHost host, ref int published)
    {
        var publishes = host.Dapr.PublishesTo("anomalies");
        var fresh = publishes.Skip(published).Select(p => (Anomaly)p.Data!).ToList();
        published = publishes.Count;
        return fresh;
    }

    private static void Count(Tally tally, List<Transaction> batch, Dictionary<string, bool> truth, List<Anomaly> anomalies)
    {
        tally.Transactions += batch.Count;
        tally.Frauds += batch.Count(t => truth[t.TransactionId]);
        tally.Alerts += anomalies.Count;
        tally.FraudsAlerted += anomalies.Count(a => truth[a.TransactionId]);
    }

    private static Verdict Review(Anomaly anomaly, bool isFraud) => new()
    {
        TransactionId = anomaly.TransactionId,
        AccountId = anomaly.AccountId,
        MerchantId = anomaly.MerchantId,
        TransactionTime = anomaly.Timestamp,
        Status = isFraud ? AnomalyStatus.ConfirmedFraud : AnomalyStatus.FalsePositive,
        ReviewedBy = "analyst",
        ReviewedAt = DetectorHost.Now,
    };
}
