using System.Diagnostics;
using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Replay;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;

namespace Fraud.Core.Evaluation;

/// <summary>Where a backtest is, for progress display.</summary>
public readonly record struct BacktestProgress(long Rows, DateTimeOffset StreamTime, string Phase);

/// <summary>
/// Replays a labelled stream in time order through the live feature code: profiles warm up on
/// everything before the test window, the model is trained when the stream reaches the test window
/// on the train-window rows whose labels are known by then, and every test-window transaction is
/// scored as it arrives. Labels enter features only after the label delay, so no label can
/// influence a score before it could have been known. As in the handbook's protocol, each test
/// day leaves out the cards already known compromised by then (<see cref="KnownCompromised"/>).
/// </summary>
public sealed class BacktestRunner(
    ProfileOptions profileOptions,
    TrainerOptions trainerOptions,
    ScoringOptions scoringOptions,
    RuleOptions ruleOptions,
    TimeProvider time)
{
    public const int ProgressInterval = 1 << 16;

    public BacktestReport Run(
        IEnumerable<LabelledTransaction> rows,
        BacktestOptions options,
        Action<string, double>? onScore = null,
        Action<BacktestProgress>? onProgress = null,
        Action<FraudModel>? onTrained = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var profiles = Copy(profileOptions, options.LabelDelay);
        ITransactionObserver observer = options.Detectors == 1 ? new ProfileTracker(profiles) : new ReplicatedProfiles(profiles, options.Detectors);
        var replay = new TransactionReplay(observer, options.LabelDelay);
        var training = new TrainingSet();
        var test = new TestWindow();
        var compromised = new KnownCompromised(options.TrainStart, options.LabelDelay);
        Span<float> features = stackalloc float[FeatureVector.Length];
        Scorer? scorer = null;
        var baseline = options.Baseline ? new BaselineRun(options.LabelDelay) : null;
        var trainingSeconds = 0.0;
        long replayed = 0;
        long hotTicks = 0;
        var trainStart = options.TrainStart;
        var trainEnd = options.TrainEnd;
        var testStart = options.TestStart;
        var testEnd = options.TestEnd;

        foreach (var row in rows)
        {
            var tx = row.Transaction;
            if (tx.Timestamp >= testEnd)
            {
                break;
            }

            if (scorer is null && tx.Timestamp >= testStart)
            {
                onProgress?.Invoke(new BacktestProgress(replayed, tx.Timestamp, "training"));
                var trainingStarted = Stopwatch.GetTimestamp();
                scorer = Train(training, options);
                onTrained?.Invoke(scorer.Model!);
                baseline?.Train(new ModelTrainer(trainerOptions, time), TrainingContext(options));
                trainingSeconds = Stopwatch.GetElapsedTime(trainingStarted).TotalSeconds;
            }

            var before = Stopwatch.GetTimestamp();
            var fresh = replay.Step(row, features);
            replayed++;
            if (fresh)
            {
                baseline?.Extract(tx, row.IsFraud == true);
            }

            if (fresh && tx.Timestamp >= trainStart && tx.Timestamp < trainEnd)
            {
                // Only labels that are known by the start of the test window may train the model.
                if (row.IsFraud is { } label && tx.Timestamp + options.LabelDelay <= testStart)
                {
                    training.Add(features, label, TimeKey.Seconds(tx.Timestamp));
                    baseline?.AddTraining(label, TimeKey.Seconds(tx.Timestamp));
                }
            }
            else if (fresh && scorer is not null)
            {
                var score = scorer.Score(features);
                if (compromised.IsKnown(tx.AccountId, tx.Timestamp))
                {
                    test.KnownCompromisedRows++;
                }
                else
                {
                    test.Add(tx, row, score, baseline?.Score());
                }

                onScore?.Invoke(tx.TransactionId, score);
            }

            if (fresh)
            {
                compromised.Observe(tx.AccountId, tx.Timestamp, row.IsFraud == true);
            }

            hotTicks += Stopwatch.GetTimestamp() - before;
            if (onProgress is not null && replayed % ProgressInterval == 0)
            {
                onProgress(new BacktestProgress(replayed, tx.Timestamp, scorer is null ? "replaying" : "scoring"));
            }
        }

        if (scorer is null || test.Count == 0)
        {
            throw new InvalidOperationException(
                $"No transactions in the test window {options.TestFrom:yyyy-MM-dd}..{options.TestTo:yyyy-MM-dd}: check the dates against the file.");
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        // The baseline's own work is not the engine's speed.
        var hotSeconds = (hotTicks - (baseline?.Ticks ?? 0)) / (double)Stopwatch.Frequency;
        return test.Report(scorer, training, replayed, seconds, trainingSeconds, hotSeconds);
    }

    private Scorer Train(TrainingSet training, BacktestOptions options)
    {
        var model = new ModelTrainer(trainerOptions, time).Train(training, TrainingContext(options));
        return new Scorer(model, scoringOptions, RuleSet.Default(ruleOptions));
    }

    private TrainingContext TrainingContext(BacktestOptions options) =>
        new(options.TrainStart, options.TrainEnd, options.LabelDelay, scoringOptions.AlertThreshold);

    /// <summary>The <c>--baseline</c> model beside the engine: its features, training rows and scores.</summary>
    private sealed class BaselineRun(TimeSpan labelDelay)
    {
        private readonly BaselineFeatures _features = new(labelDelay);
        private readonly float[] _row = new float[FeatureVector.Length];
        private readonly TrainingSet _training = new();
        private SupervisedModel? _model;

        /// <summary>Stopwatch ticks spent extracting and scoring.</summary>
        public long Ticks { get; private set; }

        public void Extract(Transaction tx, bool isFraud)
        {
            var started = Stopwatch.GetTimestamp();
            _features.Extract(tx, isFraud, _row);
            Ticks += Stopwatch.GetTimestamp() - started;
        }

        public void AddTraining(bool isFraud, int seconds) => _training.Add(_row, isFraud, seconds);

        /// <summary>The same learner as the engine's supervised model, with the same settings; none without both classes.</summary>
        public void Train(ModelTrainer trainer, TrainingContext context) =>
            _model = _training.Frauds > 0 && _training.Frauds < _training.Count ? trainer.TrainSupervised(_training, context) : null;

        /// <summary>The log-odds of the last extracted row (ranking is all the figures need); null when no model could be trained.</summary>
        public double? Score()
        {
            var started = Stopwatch.GetTimestamp();
            var score = _model?.LogOdds(_row);
            Ticks += Stopwatch.GetTimestamp() - started;
            return score;
        }
    }

    private static ProfileOptions Copy(ProfileOptions o, TimeSpan labelDelay) => new()
    {
        MaxAccounts = o.MaxAccounts,
        MaxMerchants = o.MaxMerchants,
        AccountIdleEviction = o.AccountIdleEviction,
        MerchantIdleEviction = o.MerchantIdleEviction,
        SmallAmount = o.SmallAmount,
        LabelDelay = labelDelay,
    };

    /// <summary>The scored test-window rows, in columns.</summary>
    private sealed class TestWindow
    {
        private readonly List<double> _scores = [];
        private readonly List<double> _baselineScores = [];
        private readonly List<bool> _labels = [];
        private readonly List<int> _days = [];
        private readonly List<int> _accounts = [];
        private readonly List<int> _scenarios = [];
        private readonly Dictionary<string, int> _accountIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _scenarioIndex = new(StringComparer.Ordinal);
        private readonly List<string> _scenarioNames = [];

        public int Count => _scores.Count;

        /// <summary>Test rows of cards known compromised by their day, left out of every figure (<see cref="KnownCompromised"/>).</summary>
        public long KnownCompromisedRows { get; set; }

        public void Add(Transaction tx, in LabelledTransaction row, double score, double? baselineScore)
        {
            _scores.Add(score);
            if (baselineScore is { } b)
            {
                _baselineScores.Add(b);
            }

            var isFraud = row.IsFraud == true;
            _labels.Add(isFraud);
            _days.Add(TimeKey.Day(TimeKey.Seconds(tx.Timestamp)));
            if (!_accountIndex.TryGetValue(tx.AccountId, out var account))
            {
                account = _accountIndex.Count;
                _accountIndex.Add(tx.AccountId, account);
            }

            _accounts.Add(account);
            var scenario = -1;
            if (isFraud && !string.IsNullOrEmpty(row.Scenario))
            {
                if (!_scenarioIndex.TryGetValue(row.Scenario, out scenario))
                {
                    scenario = _scenarioNames.Count;
                    _scenarioIndex.Add(row.Scenario, scenario);
                    _scenarioNames.Add(row.Scenario);
                }
            }

            _scenarios.Add(scenario);
        }

        public BacktestReport Report(Scorer scorer, TrainingSet training, long replayed, double seconds, double trainingSeconds, double hotSeconds)
        {
            var scores = _scores.ToArray();
            var labels = _labels.ToArray();
            var frauds = labels.Count(l => l);
            var fprThreshold = ThresholdAtFpr(scores, labels, 0.01);
            var alert = scorer.Options.AlertThreshold;
            var alerted = scores.Count(s => s >= alert);
            var alertedFrauds = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                if (labels[i] && scores[i] >= alert)
                {
                    alertedFrauds++;
                }
            }

            var byScenario = new SortedDictionary<string, ScenarioRecall>(StringComparer.Ordinal);
            for (var s = 0; s < _scenarioNames.Count; s++)
            {
                long count = 0, atFpr = 0, atAlert = 0;
                for (var i = 0; i < scores.Length; i++)
                {
                    if (_scenarios[i] != s)
                    {
                        continue;
                    }

                    count++;
                    atFpr += scores[i] > fprThreshold ? 1 : 0;
                    atAlert += scores[i] >= alert ? 1 : 0;
                }

                byScenario[_scenarioNames[s]] = new ScenarioRecall(count, Ratio(atFpr, count), Ratio(atAlert, count));
            }

            var model = scorer.Model!;
            var figures = Figures(scores, labels);
            return new BacktestReport
            {
                ModelVersion = model.Version,
                ModelKind = model.Manifest.Kind == ModelKind.Supervised ? "supervised" : "unsupervised",
                TrainRows = training.Count,
                TrainFrauds = training.Frauds,
                TestRows = scores.Length,
                KnownCompromisedRowsExcluded = KnownCompromisedRows,
                TestFrauds = frauds,
                AucRoc = figures.AucRoc,
                AveragePrecision = figures.AveragePrecision,
                CardPrecisionAt100 = figures.CardPrecisionAt100,
                RecallAt1PctFpr = figures.RecallAt1PctFpr,
                RecallAtTenthPctFpr = figures.RecallAtTenthPctFpr,
                RecallAtAlertThreshold = Ratio(alertedFrauds, frauds),
                PrecisionAtAlertThreshold = Ratio(alertedFrauds, alerted),
                RecallByScenario = byScenario,
                RowsReplayed = replayed,
                BadRowsSkipped = 0,
                Seconds = seconds,
                TrainingSeconds = trainingSeconds,
                TransactionsPerSecond = replayed / Math.Max(seconds, 1e-9),
                ScoringTransactionsPerSecond = replayed / Math.Max(hotSeconds, 1e-9),
                ModelMetrics = new SortedDictionary<string, double>(model.Manifest.Metrics.ToDictionary(), StringComparer.Ordinal),
                Baseline = _baselineScores.Count == 0 ? null : Figures(_baselineScores.ToArray(), labels),
            };
        }

        private RankingFigures Figures(double[] scores, bool[] labels) => RankingFigures.Of(_days.ToArray(), _accounts.ToArray(), scores, labels);

        /// <summary>The score above which at most <paramref name="fpr"/> of the legitimate rows lie.</summary>
        private static double ThresholdAtFpr(double[] scores, bool[] labels, double fpr)
        {
            var negatives = new List<double>();
            for (var i = 0; i < scores.Length; i++)
            {
                if (!labels[i])
                {
                    negatives.Add(scores[i]);
                }
            }

            if (negatives.Count == 0)
            {
                return double.NegativeInfinity;
            }

            negatives.Sort((a, b) => b.CompareTo(a));
            var allowed = (int)Math.Floor(fpr * negatives.Count);
            return negatives[Math.Min(allowed, negatives.Count - 1)];
        }

        private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : numerator / (double)denominator;
    }
}
