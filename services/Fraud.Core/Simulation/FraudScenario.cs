namespace Fraud.Core.Simulation;

/// <summary>The labelled fraud scenarios, as written in <c>fraud_scenario</c>.</summary>
public static class FraudScenario
{
    public const string CompromisedMerchant = "compromised_merchant";
    public const string StolenCard = "stolen_card";
    public const string CardTesting = "card_testing";
    public const string AccountTakeover = "account_takeover";
    public const string ImpossibleTravel = "impossible_travel";

    public static IReadOnlyList<string> All { get; } = [CompromisedMerchant, StolenCard, CardTesting, AccountTakeover, ImpossibleTravel];
}
