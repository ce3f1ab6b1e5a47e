using Fraud.Core.Features;

namespace Fraud.Core.Model;

/// <summary>
/// Anomaly scoring without labels: standardised features are projected on the principal subspace
/// ML.NET's RandomizedPca found, and the reconstruction error is what the subspace cannot explain.
/// The error is turned into a percentile of the training errors, and the percentile into log-odds
/// such that the threshold chosen from data (the <see cref="PcaData.Contamination"/> quantile) lands
/// exactly on the alert threshold. (ML.NET's own 0.5 default on its normalised score flags nearly
/// everything on data like this.)
/// </summary>
public sealed class UnsupervisedModel : FraudModel
{
    private readonly PcaData _data;
    private readonly double _thresholdLogit;

    public UnsupervisedModel(ModelManifest manifest, PcaData data) : base(manifest)
    {
        ArgumentNullException.ThrowIfNull(data);
        var d = data.Features.Length;
        if (data.Center.Length != d || data.Spread.Length != d || data.Mean.Length != d
            || data.Components.Any(c => c.Length != d) || data.Quantiles.Length < 2)
        {
            throw new InvalidDataException("PCA model arrays are inconsistent.");
        }

        _data = data;
        _thresholdLogit = Logit(1 - data.Contamination);
        Baseline = data.AlertLogOdds + Logit(0.5) - _thresholdLogit;
    }

    public PcaData Data => _data;

    public override double Baseline { get; }

    /// <summary>The reconstruction error at which alerts start (the training quantile 1 − contamination).</summary>
    public double ErrorThreshold => Quantile(1 - _data.Contamination);

    public override double LogOdds(ReadOnlySpan<float> features)
    {
        Span<double> residual = stackalloc double[_data.Features.Length];
        return ToLogOdds(Residual(features, residual));
    }

    public override double Explain(ReadOnlySpan<float> features, Span<double> contributions)
    {
        Span<double> residual = stackalloc double[_data.Features.Length];
        var error = Residual(features, residual);
        var logOdds = ToLogOdds(error);
        contributions.Clear();
        var total = error * error;
        if (total > 0)
        {
            var excess = logOdds - Baseline;
            for (var j = 0; j < residual.Length; j++)
            {
                contributions[_data.Features[j]] += excess * residual[j] * residual[j] / total;
            }
        }

        return logOdds;
    }

    /// <summary>Reconstruction error ‖z − proj(z)‖ of the standardised features; fills the residual.</summary>
    public double Residual(ReadOnlySpan<float> features, Span<double> residual)
    {
        var d = _data.Features.Length;
        for (var j = 0; j < d; j++)
        {
            residual[j] = Standardise(features[_data.Features[j]], j) - _data.Mean[j];
        }

        var norm = 0.0;
        for (var j = 0; j < d; j++)
        {
            norm += residual[j] * residual[j];
        }

        var projected = 0.0;
        foreach (var component in _data.Components)
        {
            var dot = 0.0;
            for (var j = 0; j < d; j++)
            {
                dot += component[j] * residual[j];
            }

            projected += dot * dot;
            for (var j = 0; j < d; j++)
            {
                residual[j] -= dot * component[j];
            }
        }

        return Math.Sqrt(Math.Max(norm - projected, 0));
    }

    internal double Standardise(float value, int j) =>
        FeatureVector.IsMissing(value) ? 0 : (SignedLog(value) - _data.Center[j]) / _data.Spread[j];

    /// <summary>Heavy-tailed counts and amounts become comparable after a signed log.</summary>
    internal static double SignedLog(float value) => Math.Sign(value) * Math.Log(1 + Math.Abs(value));

    private double ToLogOdds(double error)
    {
        var q = _data.Quantiles;
        var max = q[^1];
        double percentile;
        var beyond = 0.0;
        if (error >= max)
        {
            percentile = 1 - 0.5 / q.Length;
            // Keep ranking beyond the largest training error instead of saturating.
            beyond = max > 0 ? Math.Log(error / max) : error;
        }
        else
        {
            percentile = Math.Max(Percentile(q, error), 0.5 / q.Length);
        }

        return _data.AlertLogOdds + Logit(percentile) - _thresholdLogit + beyond;
    }

    private static double Percentile(double[] quantiles, double value)
    {
        var i = Array.BinarySearch(quantiles, value);
        if (i >= 0)
        {
            // Several equal quantiles: take the highest.
            while (i + 1 < quantiles.Length && quantiles[i + 1] == value)
            {
                i++;
            }

            return i / (double)(quantiles.Length - 1);
        }

        var upper = ~i;
        if (upper == 0)
        {
            return 0;
        }

        var lo = quantiles[upper - 1];
        var hi = quantiles[upper];
        var fraction = hi > lo ? (value - lo) / (hi - lo) : 0;
        return (upper - 1 + fraction) / (quantiles.Length - 1);
    }

    private double Quantile(double p)
    {
        var q = _data.Quantiles;
        var position = p * (q.Length - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, q.Length - 1);
        return q[lo] + (q[hi] - q[lo]) * (position - lo);
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));
}

/// <summary>Serialised form of the PCA model. <see cref="Features"/> are engine feature indices.</summary>
public sealed record PcaData(
    int[] Features,
    double[] Center,
    double[] Spread,
    double[] Mean,
    double[][] Components,
    double[] Quantiles,
    double Contamination,
    double AlertLogOdds);
