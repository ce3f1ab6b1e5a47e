using Fraud.Contracts;

namespace Fraud.Core.Rules;

public delegate bool RuleCondition(ReadOnlySpan<float> features);

public delegate string RuleDetail(ReadOnlySpan<float> features, Transaction transaction);

/// <summary>Extra log-odds for how strongly a rule's condition holds (0 when just met).</summary>
public delegate double RuleStrength(ReadOnlySpan<float> features);

/// <summary>
/// An explainable rule: when <see cref="Condition"/> holds it adds <see cref="Boost"/> log-odds,
/// plus <see cref="Strength"/> when the rule grades its evidence (an amount 50 times the usual says
/// more than one 5 times it).
/// </summary>
public sealed record Rule(string Code, string Title, double Boost, RuleCondition Condition, RuleDetail Detail, RuleStrength? Strength = null)
{
    /// <summary>The log-odds this rule adds for <paramref name="features"/>, its condition holding.</summary>
    public double BoostFor(ReadOnlySpan<float> features) => Boost + (Strength?.Invoke(features) ?? 0);
}
