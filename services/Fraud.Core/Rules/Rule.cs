using Fraud.Contracts;

namespace Fraud.Core.Rules;

public delegate bool RuleCondition(ReadOnlySpan<float> features);

public delegate string RuleDetail(ReadOnlySpan<float> features, Transaction transaction);

/// <summary>An explainable rule: when <see cref="Condition"/> holds it adds <see cref="Boost"/> log-odds.</summary>
public sealed record Rule(string Code, string Title, double Boost, RuleCondition Condition, RuleDetail Detail);
