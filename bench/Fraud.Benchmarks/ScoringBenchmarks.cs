using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Replay;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Core.Simulation;

namespace Fraud.Benchmarks;

/// <summary>
/// The live hot path per transaction on one core: features from the profiles, profile update, model
/// and rules. Each iteration replays fresh transactions against profiles warmed on the weeks before
/// (re-running the same transactions would only measure the duplicate check), so the reported mean
/// is per transaction.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class ScoringBenchmarks
{
    private const int Transactions = 400_000;

    private LabelledTransaction[] _warm = [];
    private LabelledTransaction[] _rows = [];
    private readonly float[] _features = new float[FeatureVector.Length];
    private Scorer _scorer = null!;
    private ProfileTracker _tracker = null!;

    [GlobalSetup]
    public void Setup()
    {
        var all = new TransactionSimulator(new SimulatorOptions { Accounts = 50_000, Merchants = 5_000, Days = 30, Seed = 3 }).Generate().ToArray();
        _warm = all[..^Transactions];
        _rows = all[^Transactions..];

        // A model trained on the warm-up weeks with the default hyper-parameters.
        var delay = TimeSpan.FromDays(7);
        var replay = new TransactionReplay(new ProfileTracker(new ProfileOptions()), delay);
        var set = new TrainingSet();
        foreach (var row in _warm)
        {
            replay.Step(row, _features);
            set.Add(_features, row.IsFraud == true, TimeKey.Seconds(row.Transaction.Timestamp));
        }

        var model = new ModelTrainer(new TrainerOptions { ValidationFraction = 0 }, TimeProvider.System)
            .Train(set, new TrainingContext(null, null, delay, 0.5));
        _scorer = new Scorer(model, new ScoringOptions(), RuleSet.Default());
    }

    [IterationSetup]
    public void WarmProfiles()
    {
        _tracker = new ProfileTracker(new ProfileOptions());
        foreach (var row in _warm)
        {
            _tracker.Observe(row.Transaction, _features);
        }
    }

    [Benchmark(OperationsPerInvoke = Transactions)]
    public double FeaturesAndScore()
    {
        var sum = 0.0;
        var features = _features.AsSpan();
        foreach (var row in _rows)
        {
            _tracker.Observe(row.Transaction, features);
            sum += _scorer.Score(features);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Transactions)]
    public double FeaturesOnly()
    {
        var sum = 0.0;
        var features = _features.AsSpan();
        foreach (var row in _rows)
        {
            _tracker.Observe(row.Transaction, features);
            sum += features[0];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Transactions / 20)]
    public int FeaturesAndExplain()
    {
        var reasons = 0;
        var features = _features.AsSpan();
        for (var i = 0; i < Transactions / 20; i++)
        {
            _tracker.Observe(_rows[i].Transaction, features);
            reasons += _scorer.Explain(features, _rows[i].Transaction).Reasons.Count;
        }

        return reasons;
    }
}
