using Fraud.Contracts;

namespace Fraud.Core.Simulation;

/// <summary>A transaction of the day being generated, before it is sorted and given its id.</summary>
internal readonly record struct Draft(
    long Ticks,
    long Sequence,
    SimAccount Account,
    SimMerchant? Merchant,
    decimal Amount,
    Channel Channel,
    string? Device,
    City Place,
    double Latitude,
    double Longitude,
    string? Scenario);
