namespace Fraud.Core.Simulation;

/// <summary>
/// A kind of merchant: its share of merchants, how its amounts compare with an account's usual
/// spend, and whether it sells online.
/// </summary>
internal sealed record MerchantCategory(string Name, double Share, double AmountFactor, bool Online)
{
    public static readonly MerchantCategory[] All =
    [
        new("grocery", 0.22, 0.9, false),
        new("restaurant", 0.18, 0.8, false),
        new("fuel", 0.08, 1.2, false),
        new("retail", 0.14, 1.3, false),
        new("pharmacy", 0.05, 0.6, false),
        new("entertainment", 0.05, 1.0, false),
        new("travel", 0.04, 4.0, false),
        new("electronics", 0.04, 3.0, false),
        new("online_retail", 0.10, 1.2, true),
        new("digital_goods", 0.05, 0.4, true),
        new("atm", 0.05, 2.5, false),
    ];

    public bool IsAtm => Name == "atm";
}
