namespace Fraud.Core.Features;

/// <summary>
/// Exponentially decayed windows. A sum Σ wᵢ·exp(−(T−tᵢ)/τ) does not depend on the order in which
/// events were added, so profiles tolerate out-of-order deliveries: a late event is simply added
/// with its own, smaller, weight. τ is the window's nominal length; a steady rate of r per day gives
/// a decayed count of r·τ, the same as a sliding window of length τ.
/// </summary>
internal static class Decay
{
    public const float Hour = TimeKey.SecondsPerHour;
    public const float Day = TimeKey.SecondsPerDay;
    public const float Week = 7 * Day;
    public const float Month = 30 * Day;

    /// <summary>Factor that ages a sum anchored at <paramref name="from"/> to <paramref name="to"/>; 1 when not later.</summary>
    public static float Factor(int from, int to, float tau) => to <= from ? 1f : MathF.Exp((from - to) / tau);

    /// <summary>Weight of an event at <paramref name="eventSeconds"/> in a sum anchored at <paramref name="anchor"/>.</summary>
    public static float Weight(int eventSeconds, int anchor, float tau) =>
        eventSeconds >= anchor ? 1f : MathF.Exp((eventSeconds - anchor) / tau);
}
