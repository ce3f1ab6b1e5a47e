namespace Fraud.Core.Model;

/// <summary>
/// A gradient-boosted classifier. Log-odds = <see cref="Scale"/> · ensemble output + <see cref="Offset"/>,
/// the calibration ML.NET fitted (LightGBM's sigmoid).
/// </summary>
public sealed class SupervisedModel(ModelManifest manifest, TreeEnsemble ensemble, double scale, double offset)
    : FraudModel(manifest)
{
    public TreeEnsemble Ensemble { get; } = ensemble;

    public double Scale { get; } = scale;

    public double Offset { get; } = offset;

    public override double Baseline => Scale * Ensemble.ExpectedValue + Offset;

    public override double LogOdds(ReadOnlySpan<float> features) => Scale * Ensemble.Evaluate(features) + Offset;

    public override double Explain(ReadOnlySpan<float> features, Span<double> contributions)
    {
        var raw = Ensemble.Explain(features, contributions);
        for (var i = 0; i < contributions.Length; i++)
        {
            contributions[i] *= Scale;
        }

        return Scale * raw + Offset;
    }
}
