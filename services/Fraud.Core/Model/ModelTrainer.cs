using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Fraud.Core.Evaluation;
using Fraud.Core.Features;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace Fraud.Core.Model;

/// <summary>What the model is trained on, for its manifest.</summary>
public sealed record TrainingContext(
    DateTimeOffset? From,
    DateTimeOffset? To,
    TimeSpan LabelDelay,
    double AlertThreshold);

/// <summary>
/// Trains with ML.NET — LightGBM when the window has enough labelled frauds, RandomizedPca
/// otherwise — and compiles the result into the engine's own thread-safe scorers.
/// </summary>
public sealed class ModelTrainer(TrainerOptions options, TimeProvider time)
{
    private const string FeaturesColumn = "Features";
    private const string LabelColumn = "Label";

    public FraudModel Train(TrainingSet set, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(set);
        options.Validate();
        if (set.Count == 0)
        {
            throw new InvalidOperationException("No transactions to train on: check the training window and the file.");
        }

        return set.Frauds >= options.MinFraudsForSupervised && set.Frauds < set.Count
            ? TrainSupervised(set, context)
            : TrainUnsupervised(set, context);
    }

    public SupervisedModel TrainSupervised(TrainingSet set, TrainingContext context)
    {
        var metrics = new Dictionary<string, double>();
        var validationStart = (int)(set.Count * (1 - options.ValidationFraction));
        if (options.ValidationFraction > 0 && CountFrauds(set, 0, validationStart) >= options.MinFraudsForSupervised
            && CountFrauds(set, validationStart, set.Count) >= 5)
        {
            // Out-of-time estimate: fit on the older rows, measure on the newest.
            var (early, earlyScale, _, _) = FitLightGbm(set, 0, validationStart);
            AddMetrics(metrics, "validation", early, earlyScale, set, validationStart, set.Count);
        }

        var (ensemble, scale, offset, source) = FitLightGbm(set, 0, set.Count);
        AddMetrics(metrics, "training", ensemble, scale, set, 0, set.Count);
        var manifest = Manifest(context, set, ModelKind.Supervised, "LightGbm", "gbt", ensemble.Data, metrics,
            new Dictionary<string, double>(),
            new Dictionary<string, string>
            {
                ["iterations"] = Invariant(options.Iterations),
                ["learning_rate"] = Invariant(options.LearningRate),
                ["leaves"] = Invariant(options.Leaves),
                ["min_examples_per_leaf"] = Invariant(options.MinExamplesPerLeaf),
                ["feature_fraction"] = Invariant(options.FeatureFraction),
                ["l2_regularization"] = Invariant(options.L2Regularization),
                ["max_bins"] = Invariant(options.MaxBins),
                ["seed"] = Invariant(options.Seed),
            });
        return new SupervisedModel(manifest, ensemble, scale, offset) { Source = source };
    }

    public UnsupervisedModel TrainUnsupervised(TrainingSet set, TrainingContext context)
    {
        var width = set.Width;
        var features = Enumerable.Range(0, width).ToArray();
        var (center, spread) = Standardisation(set);
        var scratch = new PcaData(features, center, spread, new double[width], [], [0, 1], options.Contamination, 0);
        var scaler = new UnsupervisedModel(Placeholder(context), scratch);

        var rows = new List<TrainingRow>(set.Count);
        for (var i = 0; i < set.Count; i++)
        {
            var row = set.Row(i);
            var z = new float[width];
            for (var j = 0; j < width; j++)
            {
                z[j] = (float)scaler.Standardise(row[j], j);
            }

            rows.Add(new TrainingRow { Features = z });
        }

        var ml = new MLContext(seed: options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows, Schema(width));
        var rank = Math.Min(options.PcaRank, width - 1);
        var trainer = ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
        {
            FeatureColumnName = FeaturesColumn,
            Rank = rank,
            EnsureZeroMean = true,
            Seed = options.Seed,
        });
        AnomalyPredictionTransformer<PcaModelParameters> fitted;
        try
        {
            fitted = trainer.Fit(data);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // ML.NET's way of saying the rows are too few or too alike to find components in (NaN eigenvectors).
            throw new InvalidOperationException($"{set.Count} transactions are too few or too alike to train on: {e.Message}", e);
        }

        VBuffer<float>[] vectors = [];
        fitted.Model.GetEigenVectors(ref vectors, out var actualRank);
        VBuffer<float> meanBuffer = default;
        fitted.Model.GetMean(ref meanBuffer);
        var mean = meanBuffer.Length == width ? meanBuffer.DenseValues().Select(v => (double)v).ToArray() : new double[width];

        var components = new double[actualRank][];
        for (var k = 0; k < actualRank; k++)
        {
            components[k] = vectors[k].DenseValues().Select(v => (double)v).ToArray();
        }

        // The threshold comes from the data: errors of the training rows, as quantiles.
        var projection = new UnsupervisedModel(Placeholder(context), scratch with { Mean = mean, Components = components });
        var errors = new double[set.Count];
        var residual = new double[width];
        for (var i = 0; i < set.Count; i++)
        {
            errors[i] = projection.Residual(set.Row(i), residual);
        }

        Array.Sort(errors);
        const int quantileCount = 1001;
        var quantiles = new double[quantileCount];
        for (var q = 0; q < quantileCount; q++)
        {
            quantiles[q] = errors[(int)Math.Round(q / (double)(quantileCount - 1) * (errors.Length - 1))];
        }

        var alertLogOdds = Math.Log(context.AlertThreshold / (1 - context.AlertThreshold));
        var pca = scratch with { Mean = mean, Components = components, Quantiles = quantiles, AlertLogOdds = alertLogOdds };
        var metrics = new Dictionary<string, double>();
        if (set.Frauds > 0 && set.Frauds < set.Count)
        {
            var probe = new UnsupervisedModel(Placeholder(context), pca);
            var scores = new double[set.Count];
            for (var i = 0; i < set.Count; i++)
            {
                scores[i] = probe.LogOdds(set.Row(i));
            }

            metrics["training_auc_roc"] = Metrics.AucRoc(scores, set.Labels);
            metrics["training_average_precision"] = Metrics.AveragePrecision(scores, set.Labels);
        }

        var thresholds = new Dictionary<string, double>
        {
            ["reconstruction_error"] = quantiles[(int)Math.Round((1 - options.Contamination) * (quantileCount - 1))],
            ["contamination"] = options.Contamination,
        };
        var manifest = Manifest(context, set, ModelKind.Unsupervised, "RandomizedPca", "pca", pca, metrics, thresholds,
            new Dictionary<string, string>
            {
                ["rank"] = Invariant(actualRank),
                ["contamination"] = Invariant(options.Contamination),
                ["seed"] = Invariant(options.Seed),
            });
        return new UnsupervisedModel(manifest, pca) { Source = SaveSource(ml, fitted, data.Schema) };
    }

    private (TreeEnsemble Ensemble, double Scale, double Offset, byte[] Source) FitLightGbm(TrainingSet set, int start, int end)
    {
        var rows = new List<TrainingRow>(end - start);
        for (var i = start; i < end; i++)
        {
            rows.Add(new TrainingRow { Features = set.Row(i).ToArray(), Label = set.Label(i) });
        }

        var ml = new MLContext(seed: options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows, Schema(set.Width));
        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = LabelColumn,
            FeatureColumnName = FeaturesColumn,
            NumberOfIterations = options.Iterations,
            LearningRate = options.LearningRate,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf,
            Seed = options.Seed,
            NumberOfThreads = options.Threads,
            UseCategoricalSplit = false,
            MaximumBinCountPerFeature = options.MaxBins,
            Silent = true,
            Booster = new GradientBooster.Options
            {
                FeatureFraction = options.FeatureFraction,
                L2Regularization = options.L2Regularization,
            },
        });
        var fitted = trainer.Fit(data);
        var calibrator = fitted.Model.Calibrator;
        var compiled = TreeEnsembleCompiler.Compile(fitted.Model.SubModel.TrainedTreeEnsemble, set.Rows(start, end - start), set.Width);
        // ML.NET's Platt calibrator: p = 1 / (1 + exp(slope · raw + offset)).
        return (compiled, -calibrator.Slope, -calibrator.Offset, SaveSource(ml, fitted, data.Schema));
    }

    private static byte[] SaveSource(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var buffer = new MemoryStream();
        ml.Model.Save(model, schema, buffer);
        return buffer.ToArray();
    }

    private static void AddMetrics(Dictionary<string, double> metrics, string prefix, TreeEnsemble ensemble, double scale,
        TrainingSet set, int start, int end)
    {
        var scores = new double[end - start];
        for (var i = start; i < end; i++)
        {
            scores[i - start] = scale * ensemble.Evaluate(set.Row(i));
        }

        var labels = set.Labels[start..end];
        metrics[prefix + "_rows"] = end - start;
        metrics[prefix + "_frauds"] = CountFrauds(set, start, end);
        metrics[prefix + "_auc_roc"] = Metrics.AucRoc(scores, labels);
        metrics[prefix + "_average_precision"] = Metrics.AveragePrecision(scores, labels);
    }

    private static int CountFrauds(TrainingSet set, int start, int end)
    {
        var frauds = 0;
        for (var i = start; i < end; i++)
        {
            if (set.Label(i))
            {
                frauds++;
            }
        }

        return frauds;
    }

    /// <summary>Median and spread (robust: interquartile range) of each signed-log feature.</summary>
    private static (double[] Center, double[] Spread) Standardisation(TrainingSet set)
    {
        var width = set.Width;
        var center = new double[width];
        var spread = new double[width];
        var column = new List<double>(set.Count);
        for (var j = 0; j < width; j++)
        {
            column.Clear();
            for (var i = 0; i < set.Count; i++)
            {
                var v = set.Row(i)[j];
                if (!FeatureVector.IsMissing(v))
                {
                    column.Add(UnsupervisedModel.SignedLog(v));
                }
            }

            if (column.Count == 0)
            {
                spread[j] = 1;
                continue;
            }

            column.Sort();
            center[j] = column[column.Count / 2];
            var iqr = column[column.Count * 3 / 4] - column[column.Count / 4];
            var range = column[^1] - column[0];
            spread[j] = iqr > 1e-6 ? iqr : range > 1e-6 ? range : 1;
        }

        return (center, spread);
    }

    private ModelManifest Manifest(TrainingContext context, TrainingSet set, ModelKind kind, string algorithm, string prefix,
        object content, Dictionary<string, double> metrics, Dictionary<string, double> thresholds, Dictionary<string, string> parameters)
    {
        // The version names the content, so identical training gives an identical version.
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(content, ModelJsonContext.Default.Options.GetTypeInfo(content.GetType())));
        return new ModelManifest
        {
            Version = $"{prefix}-{Convert.ToHexStringLower(hash)[..12]}",
            Kind = kind,
            Algorithm = algorithm,
            Features = FeatureVector.Names,
            TrainedFrom = context.From,
            TrainedTo = context.To,
            LabelDelay = context.LabelDelay,
            TrainingRows = set.Count,
            TrainingFrauds = set.Frauds,
            CreatedAt = time.GetUtcNow(),
            Thresholds = thresholds,
            Metrics = metrics,
            Parameters = parameters,
        };
    }

    private static ModelManifest Placeholder(TrainingContext context) => new()
    {
        Version = "training",
        Kind = ModelKind.Unsupervised,
        Algorithm = "RandomizedPca",
        Features = FeatureVector.Names,
        CreatedAt = DateTimeOffset.UnixEpoch,
        LabelDelay = context.LabelDelay,
    };

    private static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private sealed class TrainingRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }
}
