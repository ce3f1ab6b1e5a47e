using Fraud.Contracts;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Detector.Detection;
using Fraud.Detector.Observability;
using Fraud.Runtime.Ledger;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Models;

/// <summary>
/// The scorer in use, and how it learns when no model file is given: it scores with the rules;
/// after <see cref="DetectorOptions.BootstrapRows"/> live transactions it trains an unsupervised
/// (RandomizedPca) model on a sample of them; and once analysts' verdicts on its alerts confirm
/// <see cref="DetectorOptions.SupervisedAfterFrauds"/> frauds it trains a supervised model on the
/// reviewed alerts against a sample of live traffic, and retrains as reviews and traffic grow.
/// Each model so learnt is kept in the ledger, and a detector starts from the newest one there.
/// The rows of its alerts are kept in the ledger too (<see cref="Feedback.LabelSync"/> saves them), so
/// every detector learns from the verdicts on any detector's alerts, and one restarted keeps what
/// it had learnt from. Training runs in the background; scorers are immutable apart from their
/// alert budget, so swapping is one reference write.
/// </summary>
public sealed class ModelHost
{
    private static readonly TimeSpan RestoreRetry = TimeSpan.FromSeconds(5);

    /// <summary>Alerts whose rows wait for a verdict, and reviewed rows kept: ~4 MB each at 20,000.</summary>
    public const int ReviewedCapacity = 20_000;

    /// <summary>Fewer live rows than this say too little about ordinary traffic to train on.</summary>
    private const int MinimumBackground = 1_000;

    private readonly ScoringOptions _scoring;
    private readonly RuleSet _rules;
    private readonly DetectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private readonly ILedger? _ledger;
    private readonly Lock _lock = new();
    private Reservoir? _reservoir;
    private TrainingSet? _lastSample;
    private ReviewedRows? _reviewed;
    /// <summary>Alerts' rows not yet kept in the ledger (at most <see cref="ReviewedCapacity"/>).</summary>
    private List<AlertFeatures> _unsaved = [];
    private long _nextSample;
    private int _nextSupervisedAt;
    /// <summary>Reviewed frauds behind a supervised model learnt before this start: fewer would train a worse one.</summary>
    private int _inheritedFrauds;
    private bool _training;
    private volatile Scorer _scorer;
    private string _description = "rules only";
    private (string Version, string Kind, string Source)? _modelLabels;

    /// <param name="ledger">Where learnt models are kept; null keeps them in memory only.</param>
    public ModelHost(IOptions<DetectorOptions> options, IOptions<ScoringOptions> scoring, IOptions<RuleOptions> rules,
        TimeProvider time, ILogger<ModelHost> logger, ILedger? ledger = null)
    {
        _options = options.Value;
        _scoring = scoring.Value;
        _rules = RuleSet.Default(rules.Value);
        _time = time;
        _logger = logger;
        _ledger = ledger;
        _scorer = NewScorer(null);
    }

    public Scorer Current => _scorer;

    /// <summary>True once the configured model is in use (always true when none is configured).</summary>
    public bool IsReady { get; private set; }

    /// <summary>What the health endpoint and the start-up lines say about the model.</summary>
    public string Description => _description;

    /// <summary>Loads the configured model, or starts learning from live traffic and reviews.</summary>
    public void Load()
    {
        if (_options.ModelPath is { Length: > 0 } path)
        {
            var model = ModelFile.Load(path);
            Swap(NewScorer(model), $"{Kind(model)} model {model.Version}");
            _logger.LogInformation("Loaded {Kind} model {Version} from {Path}", model.Manifest.Kind, model.Version, path);
        }
        else
        {
            var description = "rules only";
            if (_options.BootstrapRows > 0)
            {
                _nextSample = _options.BootstrapRows;
                _reservoir = new Reservoir(_options.BootstrapRows, FeatureVector.Length, seed: 1);
                description = $"rules only until {_options.BootstrapRows:N0} transactions train an unsupervised model";
                if (_options.SupervisedAfterFrauds > 0)
                {
                    _reviewed = new ReviewedRows(ReviewedCapacity, FeatureVector.Length);
                    _nextSupervisedAt = _options.SupervisedAfterFrauds;
                    description += $", or {_options.SupervisedAfterFrauds} reviewed frauds a supervised one";
                }
            }

            Swap(_scorer, description);
            _logger.LogWarning("No model file (Fraud:Detector:ModelPath): scoring with {Description}", Description);
        }

        IsReady = true;
    }

    /// <summary>
    /// Without a model file, starts from the newest model a detector learnt (kept in the ledger)
    /// once the ledger answers: readiness does not wait for it, and the rules score meanwhile.
    /// </summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_ledger is null || _reservoir is null)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await _ledger.LatestLearnedModelAsync(cancellationToken).ConfigureAwait(false) is { } content)
                {
                    using var stream = new MemoryStream(content);
                    Adopt(ModelFile.Load(stream, "the newest learnt model in the ledger"));
                }

                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidDataException e)
            {
                _logger.LogWarning(e, "The newest learnt model in the ledger cannot be used; learning again from the rules");
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Reading the newest learnt model from the ledger failed; retrying in {Delay}", RestoreRetry);
                await Task.Delay(RestoreRetry, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Adopt(FraudModel model)
    {
        lock (_lock)
        {
            if (_scorer.Model is not null)
            {
                // This detector has learnt a model of its own since it started.
                return;
            }

            if (model is SupervisedModel)
            {
                _inheritedFrauds = (int)model.Manifest.TrainingFrauds;
                _nextSupervisedAt = Math.Max(_nextSupervisedAt, 2 * _inheritedFrauds);
            }

            Swap(NewScorer(model), Describe(model) + ", before this start");
        }

        _logger.LogInformation("Scoring with {Description}", Description);
    }

    /// <summary>
    /// Samples live features (without a model file). A sample is complete after
    /// <see cref="DetectorOptions.BootstrapRows"/> transactions, the next after twice as many, and
    /// so on up to eight times as many, each a uniform sample (reservoir) of its interval: the
    /// first transactions come from accounts without history, and a model fitted on them alone
    /// would find every later, history-rich transaction anomalous. Each complete sample trains a
    /// model: supervised once enough frauds are reviewed, unsupervised until then.
    /// </summary>
    public void Observe(ReadOnlySpan<float> features)
    {
        if (_reservoir is null)
        {
            return;
        }

        TrainingSet? sample = null;
        lock (_lock)
        {
            _reservoir.Offer(features);
            if (_reservoir.Seen >= _nextSample && !_training)
            {
                sample = _lastSample = _reservoir.ToTrainingSet();
                _training = true;
                // Doubling, then every eight bootstrap sizes: cold-start drift fades, slower drift stays tracked.
                _nextSample = Math.Min(_nextSample * 2, 8L * _options.BootstrapRows);
                _reservoir = new Reservoir(_options.BootstrapRows, FeatureVector.Length, seed: (int)_nextSample);
            }
        }

        if (sample is not null)
        {
            _ = Task.Run(() => TrainAsync(sample));
        }
    }

    /// <summary>True when this detector learns from reviews (no model file).</summary>
    public bool LearnsFromReviews => _reviewed is not null;

    /// <summary>Keeps an alert's features until its verdict, and for the ledger (without a model file).</summary>
    public void Remember(string transactionId, ReadOnlySpan<float> features)
    {
        if (_reviewed is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_reviewed.Remember(transactionId, features) && _unsaved.Count < ReviewedCapacity)
            {
                _unsaved.Add(new AlertFeatures(transactionId, _time.GetUtcNow(), features[..FeatureVector.Length].ToArray()));
            }
        }
    }

    /// <summary>The alerts' rows remembered since the last call, for the ledger.</summary>
    public IReadOnlyList<AlertFeatures> TakeUnsaved()
    {
        lock (_lock)
        {
            var taken = _unsaved;
            _unsaved = [];
            return taken;
        }
    }

    /// <summary>Rows the ledger did not take, to be offered again (as room allows).</summary>
    public void ReturnUnsaved(IReadOnlyList<AlertFeatures> rows)
    {
        lock (_lock)
        {
            _unsaved.InsertRange(0, rows.Take(ReviewedCapacity - _unsaved.Count));
        }
    }

    /// <summary>Whether this detector holds the alert's row itself (else it is read from the ledger).</summary>
    public bool Remembers(string transactionId)
    {
        lock (_lock)
        {
            return _reviewed?.IsPending(transactionId) == true;
        }
    }

    /// <summary>
    /// A label recorded by any detector. When it is a verdict on an alert whose row this detector
    /// remembers, or whose row <paramref name="kept"/> brings from the ledger, it becomes a training
    /// row, and reaching the next count of reviewed frauds trains a supervised model.
    /// </summary>
    public void Learn(FraudLabel label, float[]? kept = null)
    {
        if (_reviewed is null)
        {
            return;
        }

        lock (_lock)
        {
            if (!_reviewed.Label(label.TransactionId, label.IsFraud, Fit(kept)))
            {
                return;
            }

            ReportReviews(_reviewed);
        }

        TrainIfDue();
    }

    /// <summary>
    /// The reviewed alerts kept in the ledger when this detector started (newest first), so that a
    /// restart neither forgets them nor waits for as many new verdicts.
    /// </summary>
    public void RestoreReviews(IReadOnlyList<LabelledFeatures> newestFirst)
    {
        if (_reviewed is null || newestFirst.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            for (var i = newestFirst.Count - 1; i >= 0; i--)
            {
                _reviewed.Label(newestFirst[i].TransactionId, newestFirst[i].IsFraud, Fit(newestFirst[i].Features));
            }

            _logger.LogInformation("Restored {Rows:N0} reviewed alerts ({Frauds:N0} frauds) from the ledger", _reviewed.Labelled, _reviewed.Frauds);
            ReportReviews(_reviewed);
        }

        TrainIfDue();
    }

    /// <summary>Trains a supervised model when reviews reached the next count of frauds and live traffic was sampled.</summary>
    private void TrainIfDue()
    {
        TrainingSet? background = null;
        lock (_lock)
        {
            if (_reviewed?.Frauds >= _nextSupervisedAt && !_training && Background() is { } sample)
            {
                background = sample;
                _training = true;
            }
        }

        if (background is not null)
        {
            _ = Task.Run(() => TrainAsync(background));
        }
    }

    private static void ReportReviews(ReviewedRows reviewed)
    {
        DetectorMetrics.ReviewedAlerts.WithLabels("fraud").Set(reviewed.Frauds);
        DetectorMetrics.ReviewedAlerts.WithLabels("legitimate").Set(reviewed.Labelled - reviewed.Frauds);
    }

    /// <summary>A kept row at this build's width: features added since it was kept are missing.</summary>
    private static float[]? Fit(float[]? kept)
    {
        if (kept is null || kept.Length == FeatureVector.Length)
        {
            return kept;
        }

        var row = new float[FeatureVector.Length];
        row.AsSpan().Fill(FeatureVector.Missing);
        kept.AsSpan(0, Math.Min(kept.Length, row.Length)).CopyTo(row);
        return row;
    }

    /// <summary>Feeds the scorer's alert budget with new transactions' log-odds and reports it.</summary>
    public static void Calibrate(Scorer scorer, ReadOnlySpan<double> logOdds)
    {
        if (scorer.Budget is not { } budget)
        {
            return;
        }

        budget.Observe(logOdds);
        DetectorMetrics.AlertBudgetShift.Set(budget.Shift);
        DetectorMetrics.AlertRateUnbudgeted.Set(budget.UnbudgetedRate);
    }

    /// <summary>The last complete sample of live traffic, or the current one's rows so far.</summary>
    private TrainingSet? Background()
    {
        var sample = _lastSample ?? _reservoir?.ToTrainingSet();
        return sample?.Count >= MinimumBackground ? sample : null;
    }

    private async Task TrainAsync(TrainingSet sample)
    {
        try
        {
            TrainingSet? supervised = null;
            lock (_lock)
            {
                if (_reviewed is { } reviewed && reviewed.Frauds >= Math.Max(_options.SupervisedAfterFrauds, _inheritedFrauds))
                {
                    // Live traffic stands for the legitimate class: nearly all of it is, and the
                    // few unreviewed frauds a sample holds cost the model little against the reviewed ones.
                    supervised = new TrainingSet();
                    for (var i = 0; i < sample.Count; i++)
                    {
                        supervised.Add(sample.Row(i), isFraud: false, seconds: 0);
                    }

                    reviewed.CopyTo(supervised);
                    _nextSupervisedAt = Math.Max(_nextSupervisedAt, 2 * reviewed.Frauds);
                }
            }

            var trainer = new ModelTrainer(new TrainerOptions { ValidationFraction = 0 }, _time);
            var context = new TrainingContext(null, null, TimeSpan.Zero, _scoring.AlertThreshold);
            FraudModel? model = null;
            if (supervised is not null)
            {
                model = trainer.TrainSupervised(supervised, context);
                _logger.LogInformation(
                    "Trained supervised model {Version} on {Frauds:N0} reviewed frauds and {Rows:N0} other rows; next at {Next:N0} reviewed frauds",
                    model.Version, model.Manifest.TrainingFrauds, model.Manifest.TrainingRows - model.Manifest.TrainingFrauds, _nextSupervisedAt);
            }
            else if (_scorer.Model is not SupervisedModel)
            {
                model = trainer.TrainUnsupervised(sample, context);
                _logger.LogInformation("Trained unsupervised model {Version} on a sample of {Rows:N0} live transactions; next after {Next:N0} more",
                    model.Version, sample.Count, _nextSample);
            }

            if (model is not null)
            {
                Swap(Prefilled(NewScorer(model), sample), Describe(model));
                await KeepAsync(model).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Training a model failed; keeping the current scorer");
        }
        finally
        {
            lock (_lock)
            {
                _training = false;
            }
        }
    }

    /// <summary>
    /// A scorer with its own alert budget: an unsupervised model held at its contamination (or the
    /// budget, if lower), anything else under the budget as a ceiling.
    /// </summary>
    private Scorer NewScorer(FraudModel? model)
    {
        var alertLogOdds = Math.Log(_scoring.AlertThreshold / (1 - _scoring.AlertThreshold));
        AlertBudget? budget = null;
        if (model is UnsupervisedModel unsupervised)
        {
            var target = _scoring.AlertBudget > 0 ? Math.Min(_scoring.AlertBudget, unsupervised.Data.Contamination) : unsupervised.Data.Contamination;
            budget = new AlertBudget(target, _scoring.AlertBudgetWindow, alertLogOdds, exact: true);
        }
        else if (_scoring.AlertBudget > 0)
        {
            budget = new AlertBudget(_scoring.AlertBudget, _scoring.AlertBudgetWindow, alertLogOdds, exact: false);
        }

        DetectorMetrics.AlertBudgetTarget.Set(budget?.Target ?? 0);
        return new Scorer(model, _scoring, _rules, budget);
    }

    /// <summary>
    /// The scorer with its alert budget's window filled from the traffic sample it was learnt
    /// against, so the budget holds from the model's first transaction instead of after 2,000 live
    /// ones; live transactions replace the sample within one window.
    /// </summary>
    private static Scorer Prefilled(Scorer scorer, TrainingSet sample)
    {
        if (scorer.Budget is { } budget)
        {
            var logOdds = new double[sample.Count];
            for (var i = 0; i < logOdds.Length; i++)
            {
                logOdds[i] = scorer.LogOdds(sample.Row(i));
            }

            budget.Observe(logOdds);
        }

        return scorer;
    }

    /// <summary>Saves a learnt model in the ledger, for the next start of this or any detector.</summary>
    private async Task KeepAsync(FraudModel model)
    {
        if (_ledger is null)
        {
            return;
        }

        try
        {
            using var buffer = new MemoryStream();
            ModelFile.Save(model, buffer);
            await _ledger.SaveLearnedModelAsync(model.Version, model.Manifest.CreatedAt, buffer.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Keeping learnt model {Version} in the ledger failed; a restart would start from the one kept before it", model.Version);
        }
    }

    private static string Describe(FraudModel model) => model.Manifest.Kind == ModelKind.Supervised
        ? $"supervised model {model.Version}, learnt from {model.Manifest.TrainingFrauds:N0} reviewed frauds"
        : $"unsupervised model {model.Version}, learnt from {model.Manifest.TrainingRows:N0} live transactions";

    private static string Kind(FraudModel model) => model.Manifest.Kind.ToString().ToLowerInvariant();

    private void Swap(Scorer scorer, string description)
    {
        if (_modelLabels is { } old)
        {
            DetectorMetrics.ModelInfo.RemoveLabelled(old.Version, old.Kind, old.Source);
        }

        _scorer = scorer;
        _description = description;
        // Replicas learning on their own score with different models by design; a file is rolled out.
        _modelLabels = (scorer.ModelVersion, scorer.Model is { } model ? Kind(model) : "rules", _options.ModelPath is { Length: > 0 } ? "file" : "learnt");
        DetectorMetrics.ModelInfo.WithLabels(_modelLabels.Value.Version, _modelLabels.Value.Kind, _modelLabels.Value.Source).Set(1);
        DetectorMetrics.AlertBudgetShift.Set(0);
    }
}
