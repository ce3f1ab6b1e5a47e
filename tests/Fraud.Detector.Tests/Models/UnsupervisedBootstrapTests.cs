using Fraud.Core.Features;
using Fraud.Core.Model;
using Fraud.Core.Rules;
using Fraud.Core.Scoring;
using Fraud.Detector.Detection;
using Fraud.Detector.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fraud.Detector.Tests.Models;

public sealed class UnsupervisedBootstrapTests
{
    [Fact]
    public void Reservoir_keeps_its_capacity_and_samples_the_whole_stream_uniformly()
    {
        var reservoir = new Reservoir(capacity: 1_000, width: FeatureVector.Length, seed: 7);
        var row = new float[FeatureVector.Length];
        for (var i = 0; i < 100_000; i++)
        {
            row[0] = i;
            reservoir.Offer(row);
        }

        var set = reservoir.ToTrainingSet();
        Assert.Equal(100_000, reservoir.Seen);
        Assert.Equal(1_000, set.Count);
        var values = Enumerable.Range(0, set.Count).Select(i => set.Row(i)[0]).ToArray();
        // A sample of the first 1,000 only would average 500; a uniform one averages 50,000 (σ ≈ 900).
        Assert.InRange(values.Average(), 45_000, 55_000);
        Assert.True(values.Count(v => v >= 90_000) > 50, "the last tenth of the stream is represented");
    }

    [Fact]
    public async Task Without_a_model_file_the_host_trains_an_unsupervised_model_after_the_bootstrap_rows_and_retrains_later()
    {
        const int bootstrap = 400;
        var host = new ModelHost(Options.Create(new DetectorOptions { BootstrapRows = bootstrap }), Options.Create(new ScoringOptions()),
            Options.Create(new RuleOptions()), TimeProvider.System, NullLogger<ModelHost>.Instance);
        host.Load();
        Assert.Null(host.Current.Model);
        Assert.Contains("rules only until 400", host.Description);

        var random = new Random(3);
        var row = new float[FeatureVector.Length];
        void Feed(int count)
        {
            for (var i = 0; i < count; i++)
            {
                for (var f = 0; f < row.Length; f++)
                {
                    row[f] = (float)random.NextDouble();
                }

                host.Observe(row);
            }
        }

        Feed(bootstrap - 1);
        Assert.Null(host.Current.Model);
        Feed(1);
        var first = await ModelWaits.NewModelAsync<FraudModel>(host);
        Assert.Equal(ModelKind.Unsupervised, first.Manifest.Kind);
        Assert.StartsWith("unsupervised model", host.Description);

        // The next model comes after twice the bootstrap size, fitted on a sample of that interval.
        Feed(2 * bootstrap);
        var second = await ModelWaits.NewModelAsync<FraudModel>(host, previous: first);
        Assert.NotSame(first, second);
    }
}
