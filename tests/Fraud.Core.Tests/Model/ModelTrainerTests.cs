using Fraud.Core.Evaluation;
using Fraud.Core.Features;
using Fraud.Core.Model;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fraud.Core.Tests.Model;

public class ModelTrainerTests
{
    private static readonly TrainingContext Context = new(null, null, TimeSpan.FromDays(7), 0.5);

    private static ModelTrainer Trainer(int iterations = 40) =>
        new(new TrainerOptions { Iterations = iterations, ValidationFraction = 0.2 }, TimeProvider.System);

    [Fact]
    public void CompiledTreesAgreeWithMlNet()
    {
        var set = SyntheticTrainingSet.Create(4000, seed: 1);
        var model = Assert.IsType<SupervisedModel>(Trainer().Train(set, Context));

        var ml = new MLContext(seed: 1);
        using var stream = new MemoryStream(model.Source!);
        var source = ml.Model.Load(stream, out _);
        var engine = ml.Model.CreatePredictionEngine<Input, Output>(source);
        for (var i = 0; i < 200; i++)
        {
            var row = set.Row(i).ToArray();
            var expected = engine.Predict(new Input { Features = row });
            Assert.Equal(expected.Score, model.Ensemble.Evaluate(row), 3);
            Assert.Equal(expected.Probability, 1 / (1 + Math.Exp(-model.LogOdds(row))), 4);
        }
    }

    [Fact]
    public void ContributionsExplainTheWholeScore()
    {
        var set = SyntheticTrainingSet.Create(4000, seed: 2);
        var model = Trainer().Train(set, Context);
        var contributions = new double[FeatureVector.Length];
        for (var i = 0; i < 50; i++)
        {
            var logOdds = model.Explain(set.Row(i), contributions);
            Assert.Equal(model.LogOdds(set.Row(i)), logOdds, 9);
            Assert.Equal(logOdds - model.Baseline, contributions.Sum(), 6);
        }

        // The features that decide the label carry the explanation of a fraud.
        var fraud = Enumerable.Range(0, set.Count).First(i => set.Label(i) && set.Row(i)[(int)Feature.AmountToMean30d] > 0.8f);
        model.Explain(set.Row(fraud), contributions);
        var top = Array.IndexOf(contributions, contributions.Max());
        Assert.Contains((Feature)top, new[] { Feature.AmountToMean30d, Feature.AccountCount1h });
    }

    [Fact]
    public void SupervisedModelLearnsAndRecordsMetrics()
    {
        var set = SyntheticTrainingSet.Create(6000, seed: 3);
        var model = Trainer(80).Train(set, Context);

        Assert.Equal(ModelKind.Supervised, model.Manifest.Kind);
        Assert.True(model.Manifest.Metrics["validation_auc_roc"] > 0.9, "out-of-time AUC");
        Assert.Equal(FeatureVector.Names, model.Manifest.Features);
        Assert.StartsWith("gbt-", model.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var set = SyntheticTrainingSet.Create(3000, seed: 4);
        var a = Trainer().Train(set, Context);
        var b = Trainer().Train(set, Context);
        Assert.Equal(a.Version, b.Version);
        Assert.Equal(a.LogOdds(set.Row(7)), b.LogOdds(set.Row(7)));
    }

    [Fact]
    public void WithoutLabelsThePcaModelFlagsAboutTheContamination()
    {
        var set = SyntheticTrainingSet.Create(5000, seed: 5, labelled: false);
        var model = Assert.IsType<UnsupervisedModel>(new ModelTrainer(new TrainerOptions { Contamination = 0.02 }, TimeProvider.System).Train(set, Context));

        var alerts = Enumerable.Range(0, set.Count).Count(i => model.LogOdds(set.Row(i)) >= 0);
        Assert.InRange(alerts / (double)set.Count, 0.01, 0.03);
        Assert.True(model.Manifest.Thresholds["reconstruction_error"] > 0);
    }

    [Fact]
    public void PcaProjectionMatchesMlNetNormalisedScore()
    {
        var set = SyntheticTrainingSet.Create(3000, seed: 6, labelled: false);
        var model = new ModelTrainer(new TrainerOptions(), TimeProvider.System).TrainUnsupervised(set, Context);
        var ml = new MLContext(seed: 1);
        using var stream = new MemoryStream(model.Source!);
        var source = ml.Model.Load(stream, out _);
        var engine = ml.Model.CreatePredictionEngine<Input, AnomalyOutput>(source);
        var residual = new double[FeatureVector.Length];
        for (var i = 0; i < 100; i++)
        {
            var row = set.Row(i);
            var z = new float[FeatureVector.Length];
            for (var j = 0; j < z.Length; j++)
            {
                z[j] = (float)model.Standardise(row[j], j);
            }

            // ML.NET scores ‖residual‖ / ‖z − mean‖; ours is the unnormalised residual.
            var error = model.Residual(row, residual);
            var centred = Math.Sqrt(z.Select((v, j) => Math.Pow(v - model.Data.Mean[j], 2)).Sum());
            Assert.Equal(engine.Predict(new Input { Features = z }).Score, error / centred, 3);
        }
    }

    [Fact]
    public void TooFewFraudsFallsBackToUnsupervised()
    {
        var set = new TrainingSet();
        var f = new float[FeatureVector.Length];
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            for (var j = 0; j < f.Length; j++)
            {
                f[j] = (float)random.NextDouble();
            }

            set.Add(f, i % 100 == 0, i);
        }

        Assert.IsType<UnsupervisedModel>(Trainer().Train(set, Context));
    }

    [Fact]
    public void EmptyTrainingSetIsAClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Train(new TrainingSet(), Context));
        Assert.Contains("training window", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsOfTheTrainerMatchAnIndependentComputation()
    {
        var set = SyntheticTrainingSet.Create(4000, seed: 8);
        var model = Assert.IsType<SupervisedModel>(Trainer().Train(set, Context));
        var scores = Enumerable.Range(0, set.Count).Select(i => model.Scale * model.Ensemble.Evaluate(set.Row(i))).ToArray();
        Assert.Equal(Metrics.AucRoc(scores, set.Labels), model.Manifest.Metrics["training_auc_roc"], 9);
    }

    public sealed class Input
    {
        [VectorType(FeatureVector.Length)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Output
    {
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    public sealed class AnomalyOutput
    {
        public float Score { get; set; }
    }
}
