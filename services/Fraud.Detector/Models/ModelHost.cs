using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Detector.Detection;
using Fraud.Detector.Observability;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Models;

/// <summary>
/// The scorer in use. Loads the model file at start-up; without one it scores with the rules and,
/// after <see cref="DetectorOptions.BootstrapRows"/> live transactions, trains an unsupervised
/// (RandomizedPca) model on their features in the background and swaps it in. Scorers are
/// immutable, so swapping is one reference write.
/// </summary>
public sealed class ModelHost
{
    private readonly ScoringOptions _scoring;
    private readonly RuleSet _rules;
    private readonly DetectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private readonly Lock _bootstrapLock = new();
    private Reservoir? _reservoir;
    private long _nextTraining;
    private bool _training;
    private volatile Scorer _scorer;
    private (string Version, string Kind)? _modelLabels;

    public ModelHost(IOptions<DetectorOptions> options, IOptions<ScoringOptions> scoring, IOptions<RuleOptions> rules,
        TimeProvider time, ILogger<ModelHost> logger)
    {
        _options = options.Value;
        _scoring = scoring.Value;
        _rules = RuleSet.Default(rules.Value);
        _time = time;
        _logger = logger;
        _scorer = new Scorer(null, _scoring, _rules);
    }

    public Scorer Current => _scorer;

    /// <summary>True once the configured model is in use (always true when none is configured).</summary>
    public bool IsReady { get; private set; }

    /// <summary>What the health endpoint and the start-up lines say about the model.</summary>
    public string Description => _scorer.Model is { } model
        ? $"{model.Manifest.Kind.ToString().ToLowerInvariant()} model {model.Version}"
        : _reservoir is not null
            ? $"rules only until {_options.BootstrapRows:N0} transactions train an unsupervised model"
            : "rules only";

    /// <summary>Loads the configured model, or starts collecting features for the unsupervised one.</summary>
    public void Load()
    {
        if (_options.ModelPath is { Length: > 0 } path)
        {
            var model = ModelFile.Load(path);
            Swap(new Scorer(model, _scoring, _rules));
            _logger.LogInformation("Loaded {Kind} model {Version} from {Path}", model.Manifest.Kind, model.Version, path);
        }
        else
        {
            if (_options.BootstrapRows > 0)
            {
                _nextTraining = _options.BootstrapRows;
                _reservoir = new Reservoir(_options.BootstrapRows, FeatureVector.Length, seed: 1);
            }

            Swap(_scorer);
            _logger.LogWarning("No model file (Fraud:Detector:ModelPath): scoring with {Description}", Description);
        }

        IsReady = true;
    }

    /// <summary>
    /// Samples live features for the unsupervised model (without a model file). The first model is
    /// trained after <see cref="DetectorOptions.BootstrapRows"/> transactions, then retrained after
    /// twice as many, and so on up to eight times as many, each time on a uniform sample (reservoir)
    /// of the interval: the first transactions come from accounts without history, and a model
    /// fitted on them alone would find every later, history-rich transaction anomalous.
    /// </summary>
    public void Observe(ReadOnlySpan<float> features)
    {
        if (_reservoir is not { } reservoir)
        {
            return;
        }

        TrainingSet? ready = null;
        lock (_bootstrapLock)
        {
            reservoir.Offer(features);
            if (reservoir.Seen >= _nextTraining && !_training)
            {
                ready = reservoir.ToTrainingSet();
                _training = true;
                // Doubling, then every eight bootstrap sizes: cold-start drift fades, slower drift stays tracked.
                _nextTraining = Math.Min(_nextTraining * 2, 8L * _options.BootstrapRows);
                _reservoir = new Reservoir(_options.BootstrapRows, FeatureVector.Length, seed: (int)_nextTraining);
            }
        }

        if (ready is not null)
        {
            _ = Task.Run(() => TrainUnsupervised(ready));
        }
    }

    private void TrainUnsupervised(TrainingSet set)
    {
        try
        {
            var trainer = new ModelTrainer(new TrainerOptions { ValidationFraction = 0 }, _time);
            var model = trainer.TrainUnsupervised(set, new TrainingContext(null, null, TimeSpan.Zero, _scoring.AlertThreshold));
            Swap(new Scorer(model, _scoring, _rules));
            _logger.LogInformation("Trained unsupervised model {Version} on a sample of {Rows:N0} live transactions; next after {Next:N0} more",
                model.Version, set.Count, _nextTraining);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Training the unsupervised model failed; keeping the current scorer");
        }
        finally
        {
            lock (_bootstrapLock)
            {
                _training = false;
            }
        }
    }

    private void Swap(Scorer scorer)
    {
        if (_modelLabels is { } old)
        {
            DetectorMetrics.ModelInfo.RemoveLabelled(old.Version, old.Kind);
        }

        _scorer = scorer;
        _modelLabels = (scorer.ModelVersion, scorer.Model?.Manifest.Kind.ToString().ToLowerInvariant() ?? "rules");
        DetectorMetrics.ModelInfo.WithLabels(_modelLabels.Value.Version, _modelLabels.Value.Kind).Set(1);
    }
}
