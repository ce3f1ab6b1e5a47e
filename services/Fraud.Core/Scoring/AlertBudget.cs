namespace Fraud.Core.Scoring;

/// <summary>
/// Keeps the share of a live stream's transactions that alert near a target, by moving the alert
/// threshold by a <see cref="Shift"/> in log-odds: the shift puts the threshold at the
/// (1 − target) quantile of the most recent transactions' log-odds.
/// </summary>
/// <remarks>
/// <para>
/// As a <b>ceiling</b> (rules and supervised models) the shift is never negative: while fewer than
/// the target alert nothing changes, and when more would (a flood of look-alike traffic, a model
/// that no longer fits) only the highest-scoring target share alerts. As an <b>exact</b> target
/// (the unsupervised model, whose threshold is its contamination by definition) the shift may be
/// negative too: a model fitted on a sample drifts as live profiles mature (on the simulator's
/// stream an uncorrected PCA model flagged 5 % of transactions a day after training and 38 % four
/// days later, against its 1 %).
/// </para>
/// <para>
/// The window slides in two halves (the quantile is over the previous half and the current one),
/// held as histograms of log-odds in bins of 1/32: memory is fixed whatever the window, and an
/// observation is one increment. Until <see cref="MinimumObservations"/> transactions (20 alerts'
/// worth at the target) have been seen the shift stays 0: the quantile of a handful of
/// transactions is noise, and a new deployment's first alerts come from the rules as designed.
/// </para>
/// Thread-safe: scorers read <see cref="Shift"/> without locking; observations take a lock per batch.
/// </remarks>
public sealed class AlertBudget
{
    private const double BinWidth = 1.0 / 32;
    private const double Lowest = -40;
    private const int Bins = 80 * 32;

    private readonly Lock _lock = new();
    private readonly int _half;
    private readonly double _alertLogOdds;
    private readonly bool _exact;
    private int[] _current = new int[Bins];
    private int[] _previous = new int[Bins];
    private int _currentCount;
    private int _previousCount;
    private double _shift;
    private double _unbudgetedRate;

    /// <param name="target">Share of transactions that should alert, in (0, 0.5).</param>
    /// <param name="window">Transactions the quantile is taken over (the most recent).</param>
    /// <param name="alertLogOdds">The alert threshold in log-odds.</param>
    /// <param name="exact">True to hold the target from both sides; false for a ceiling.</param>
    public AlertBudget(double target, int window, double alertLogOdds, bool exact)
    {
        if (target is <= 0 or >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "must be in (0, 0.5)");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        Target = target;
        _exact = exact;
        _half = window / 2;
        _alertLogOdds = alertLogOdds;
        MinimumObservations = (int)Math.Min(Math.Ceiling(20 / target), window);
    }

    public double Target { get; }

    public int MinimumObservations { get; }

    /// <summary>Log-odds added to the alert threshold (subtracted from every score); 0 until calibrated.</summary>
    public double Shift => Volatile.Read(ref _shift);

    /// <summary>Share of the window's transactions at or above the alert threshold before the shift.</summary>
    public double UnbudgetedRate => Volatile.Read(ref _unbudgetedRate);

    public long Observed { get; private set; }

    /// <summary>Adds a batch of transactions' log-odds (before the shift) and recalibrates.</summary>
    public void Observe(ReadOnlySpan<double> logOdds)
    {
        if (logOdds.IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var value in logOdds)
            {
                if (_currentCount == _half)
                {
                    (_previous, _current) = (_current, _previous);
                    Array.Clear(_current);
                    _previousCount = _currentCount;
                    _currentCount = 0;
                }

                _current[Bin(value)]++;
                _currentCount++;
            }

            Observed += logOdds.Length;
            Recalibrate();
        }
    }

    private void Recalibrate()
    {
        var total = _currentCount + _previousCount;
        var wanted = Target * total;
        var alertBin = Bin(_alertLogOdds);
        double threshold = double.NaN;
        var above = 0L;
        var atOrAboveAlert = 0L;
        for (var bin = Bins - 1; bin >= 0; bin--)
        {
            var count = _current[bin] + _previous[bin];
            if (double.IsNaN(threshold) && above + count >= wanted && count > 0)
            {
                // Within the bin, as if its values were spread evenly.
                threshold = Lowest + (bin + 1) * BinWidth - BinWidth * (wanted - above) / count;
            }

            above += count;
            if (bin == alertBin)
            {
                atOrAboveAlert = above;
            }

            if (!double.IsNaN(threshold) && bin <= alertBin)
            {
                break;
            }
        }

        Volatile.Write(ref _unbudgetedRate, atOrAboveAlert / (double)total);
        if (Observed < MinimumObservations || double.IsNaN(threshold))
        {
            return;
        }

        var shift = threshold - _alertLogOdds;
        Volatile.Write(ref _shift, _exact ? shift : Math.Max(shift, 0));
    }

    private static int Bin(double logOdds) =>
        double.IsNaN(logOdds) ? 0 : (int)Math.Clamp(Math.Floor((logOdds - Lowest) / BinWidth), 0, Bins - 1);
}
