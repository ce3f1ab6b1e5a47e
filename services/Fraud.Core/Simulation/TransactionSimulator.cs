using System.Globalization;
using Fraud.Contracts;

namespace Fraud.Core.Simulation;

/// <summary>
/// A realistic labelled transaction stream. Accounts keep their own habits (amounts, hours, places,
/// favourite merchants, devices) and sometimes travel or change phones; on top, the fraud scenarios
/// of <see cref="FraudScenario"/> strike at rates that keep fraud under 1%. Generated lazily, one
/// day at a time (memory stays flat however many days), in time order, identical for a seed.
/// </summary>
public sealed class TransactionSimulator
{
    private const double TicksPerHour = TimeSpan.TicksPerHour;

    private readonly SimulatorOptions _options;

    public TransactionSimulator(SimulatorOptions options)
    {
        options.Validate();
        _options = options;
    }

    public IEnumerable<LabelledTransaction> Generate()
    {
        var random = new Prng(_options.Seed);
        var world = new SimulatedWorld(_options, random);
        var day = new DayGenerator(world, random, _options);
        long number = 0;
        for (var d = 0; d < _options.Days; d++)
        {
            var dayStart = _options.Start.UtcTicks + d * TimeSpan.TicksPerDay;
            foreach (var draft in day.Generate(d, dayStart))
            {
                number++;
                var tx = new Transaction
                {
                    TransactionId = string.Create(CultureInfo.InvariantCulture, $"tx-{number:D10}"),
                    AccountId = draft.Account.Id,
                    Timestamp = new DateTimeOffset(draft.Ticks - draft.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
                    Amount = draft.Amount,
                    MerchantId = draft.Merchant?.Id,
                    MerchantCategory = draft.Merchant?.Category.Name ?? (draft.Channel == Channel.Transfer ? "transfer" : null),
                    Currency = draft.Place.Currency,
                    Country = draft.Place.Country,
                    Channel = draft.Channel,
                    DeviceId = draft.Device,
                    Latitude = Math.Round(draft.Latitude, 5),
                    Longitude = Math.Round(draft.Longitude, 5),
                };
                yield return new LabelledTransaction(tx, draft.Scenario is not null, draft.Scenario, number);
            }
        }
    }

    /// <summary>Generates one day: the accounts' own spending, then the fraud incidents active that day.</summary>
    private sealed class DayGenerator(SimulatedWorld world, Prng random, SimulatorOptions options)
    {
        private readonly List<Draft> _drafts = new(1 << 14);
        private readonly List<Incident> _incidents = [];
        private readonly double _intensity = options.FraudIntensity;
        private long _sequence;
        private int _fraudDevices;
        private long _lastTick;

        public IEnumerable<Draft> Generate(int day, long dayStart)
        {
            _drafts.Clear();
            _lastTick = dayStart + TimeSpan.TicksPerDay - 1;
            var weekend = new DateTimeOffset(dayStart, TimeSpan.Zero).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            foreach (var account in world.Accounts)
            {
                Spend(account, day, dayStart, weekend);
            }

            StartIncidents(day);
            var genuineCount = _drafts.Count;
            for (var i = _incidents.Count - 1; i >= 0; i--)
            {
                var incident = _incidents[i];
                Strike(incident, day, dayStart, genuineCount);
                if (day >= incident.LastDay)
                {
                    _incidents.RemoveAt(i);
                }
            }

            _drafts.Sort(static (a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Sequence.CompareTo(b.Sequence));
            return _drafts;
        }

        private void Spend(SimAccount account, int day, long dayStart, bool weekend)
        {
            if (account.TravelUntilDay < day && account.TravelCity is not null)
            {
                account.TravelCity = null;
            }

            if (account.TravelCity is null && random.Chance(0.003))
            {
                // A trip: the travel day itself has no spending, so no pair of transactions implies a flight faster than ~830 km/h.
                var cities = City.All;
                var destination = cities[random.Next(cities.Length)];
                if (destination != account.Home)
                {
                    account.TravelCity = destination;
                    account.TravelUntilDay = day + 2 + random.Next(6);
                    return;
                }
            }

            if (random.Chance(0.0015))
            {
                account.Devices[0] = string.Create(CultureInfo.InvariantCulture, $"dev-{account.Index:D6}-n{day}");
            }

            var count = random.Poisson(account.DailyRate * (weekend ? account.WeekendFactor : 1));
            var city = account.TravelCity ?? account.Home;
            for (var k = 0; k < count; k++)
            {
                var hour = account.PeakHour + random.Normal(0, account.HourSpread);
                hour = ((hour % 24) + 24) % 24;
                var ticks = dayStart + (long)(hour * TicksPerHour);
                var r = random.NextDouble();
                if (r < 0.03)
                {
                    Physical(account, Pick(world.AtmByCity[city]), ticks, account.MeanAmount * 2.5 * random.LogNormal(1, 0.4), null);
                }
                else if (r < 0.05)
                {
                    Remote(account, null, Channel.Transfer, ticks, account.MeanAmount * 5 * random.LogNormal(1, 0.6), account.Devices[0], city, null);
                }
                else if (r < 0.05 + account.OnlineShare)
                {
                    var merchant = world.Merchants[account.OnlineFavourites[random.Next(account.OnlineFavourites.Length)]];
                    var device = account.Devices[random.Next(account.Devices.Count)];
                    Remote(account, merchant, Channel.Online, ticks, account.MeanAmount * merchant.Category.AmountFactor * random.LogNormal(1, 0.45), device, city, null);
                }
                else
                {
                    var merchant = account.TravelCity is null
                        ? world.Merchants[account.Favourites[random.Pick(account.FavouriteWeights, account.FavouriteTotal)]]
                        : Pick(world.PhysicalByCity[city]);
                    Physical(account, merchant, ticks, account.MeanAmount * merchant.Category.AmountFactor * random.LogNormal(1, 0.45), null);
                }
            }
        }

        private void StartIncidents(int day)
        {
            var accounts = world.Accounts.Length;
            var physical = world.Merchants.Length;
            Start(FraudScenario.CompromisedMerchant, random.Poisson(physical * 0.001 * _intensity), day, 14, 42);
            Start(FraudScenario.StolenCard, random.Poisson(accounts * 0.0003 * _intensity), day, 2, 8);
            Start(FraudScenario.CardTesting, random.Poisson(accounts * 0.0002 * _intensity), day, 0, 0);
            Start(FraudScenario.AccountTakeover, random.Poisson(accounts * 0.00015 * _intensity), day, 1, 2);
            Start(FraudScenario.ImpossibleTravel, random.Poisson(accounts * 0.0003 * _intensity), day, 0, 0);
        }

        private void Start(string scenario, int count, int day, int minDays, int maxDays)
        {
            for (var i = 0; i < count; i++)
            {
                var lastDay = day + minDays + random.Next(maxDays - minDays + 1);
                if (scenario == FraudScenario.CompromisedMerchant)
                {
                    var merchant = world.Merchants[random.Next(world.Merchants.Length)];
                    if (merchant.Category.Online || merchant.Category.IsAtm)
                    {
                        continue;
                    }

                    _incidents.Add(new Incident(scenario, lastDay, null, merchant, null, null));
                    continue;
                }

                var account = world.Accounts[random.Next(world.Accounts.Length)];
                var device = string.Create(CultureInfo.InvariantCulture, $"dev-x{++_fraudDevices:D6}");
                var abroad = Far(account.Home, 0);
                var place = scenario == FraudScenario.StolenCard && random.Chance(0.5) ? account.Home : abroad;
                _incidents.Add(new Incident(scenario, lastDay, account, null, device, place));
            }
        }

        private void Strike(Incident incident, int day, long dayStart, int genuineCount)
        {
            switch (incident.Scenario)
            {
                case FraudScenario.CompromisedMerchant:
                    // The terminal charges a share of its customers a second time, for more.
                    for (var i = 0; i < genuineCount; i++)
                    {
                        var genuine = _drafts[i];
                        if (genuine.Merchant == incident.Merchant && genuine.Scenario is null && random.Chance(0.15))
                        {
                            var ticks = genuine.Ticks + (long)(random.Uniform(0.5, 6) * TicksPerHour);
                            Physical(genuine.Account, incident.Merchant!, ticks, (double)genuine.Amount * random.Uniform(1.0, 3.0), FraudScenario.CompromisedMerchant);
                        }
                    }

                    break;
                case FraudScenario.StolenCard:
                    for (var k = 1 + random.Next(3); k > 0; k--)
                    {
                        var account = incident.Account!;
                        var merchant = world.Merchants[world.HighValue[random.Next(world.HighValue.Length)]];
                        var amount = account.MeanAmount * random.Uniform(3, 10);
                        Remote(account, merchant, Channel.Online, dayStart + (long)(random.NextDouble() * TimeSpan.TicksPerDay), amount, incident.Device, incident.Place!, FraudScenario.StolenCard);
                    }

                    break;
                case FraudScenario.CardTesting:
                    CardTest(incident, dayStart);
                    break;
                case FraudScenario.AccountTakeover:
                    for (var k = 1 + random.Next(3); k > 0; k--)
                    {
                        var account = incident.Account!;
                        var ticks = dayStart + (long)(random.NextDouble() * TimeSpan.TicksPerDay);
                        var amount = account.MeanAmount * random.Uniform(5, 20);
                        var merchant = random.Chance(0.6) ? null : world.Merchants[world.HighValue[random.Next(world.HighValue.Length)]];
                        Remote(account, merchant, merchant is null ? Channel.Transfer : Channel.Online, ticks, amount, incident.Device, incident.Place!, FraudScenario.AccountTakeover);
                    }

                    break;
                case FraudScenario.ImpossibleTravel:
                    CloneAbroad(incident, dayStart, genuineCount);
                    break;
            }
        }

        private void CardTest(Incident incident, long dayStart)
        {
            var account = incident.Account!;
            var ticks = dayStart + (long)(random.NextDouble() * 0.9 * TimeSpan.TicksPerDay);
            var merchant = world.Merchants[world.Online[random.Next(world.Online.Length)]];
            for (var k = 5 + random.Next(16); k > 0; k--)
            {
                ticks += (long)(random.Uniform(10, 90) * TimeSpan.TicksPerSecond);
                Remote(account, merchant, Channel.Online, ticks, random.Uniform(0.5, 2.0), incident.Device, incident.Place!, FraudScenario.CardTesting);
            }

            if (random.Chance(0.6))
            {
                var big = world.Merchants[world.HighValue[random.Next(world.HighValue.Length)]];
                ticks += (long)(random.Uniform(10, 60) * TimeSpan.TicksPerMinute);
                Remote(account, big, Channel.Online, ticks, account.MeanAmount * random.Uniform(5, 15), incident.Device, incident.Place!, FraudScenario.CardTesting);
            }
        }

        private void CloneAbroad(Incident incident, long dayStart, int genuineCount)
        {
            // A cloned card used in person thousands of kilometres from the owner's last purchase, minutes later.
            var account = incident.Account!;
            var anchor = -1;
            for (var i = 0; i < genuineCount; i++)
            {
                if (_drafts[i].Account == account && _drafts[i].Channel == Channel.CardPresent)
                {
                    anchor = i;
                    break;
                }
            }

            long ticks;
            if (anchor < 0)
            {
                var home = account.TravelCity ?? account.Home;
                ticks = dayStart + (long)(random.Uniform(8, 14) * TicksPerHour);
                Physical(account, Pick(world.PhysicalByCity[home]), ticks, account.MeanAmount * random.LogNormal(1, 0.3), null);
            }
            else
            {
                ticks = _drafts[anchor].Ticks;
            }

            var city = incident.Place!;
            for (var k = 1 + random.Next(3); k > 0; k--)
            {
                ticks += (long)(random.Uniform(5, 120) * TimeSpan.TicksPerMinute);
                Physical(account, Pick(world.PhysicalByCity[city]), ticks, account.MeanAmount * random.Uniform(2, 6), FraudScenario.ImpossibleTravel);
            }
        }

        /// <summary>A city at least 3,000 km from <paramref name="from"/>.</summary>
        private City Far(City from, int attempt)
        {
            var city = City.All[random.Next(City.All.Length)];
            var distance = Features.Geo.DistanceKm(from.Latitude, from.Longitude, city.Latitude, city.Longitude);
            return distance >= 3000 || attempt > 20 ? city : Far(from, attempt + 1);
        }

        private SimMerchant Pick(int[] merchants)
        {
            var from = merchants.Length > 0 ? merchants : world.AllPhysical;
            return world.Merchants[from[random.Next(from.Length)]];
        }

        private void Physical(SimAccount account, SimMerchant merchant, long ticks, double amount, string? scenario)
        {
            var channel = merchant.Category.IsAtm ? Channel.Atm : Channel.CardPresent;
            _drafts.Add(new Draft(Math.Min(ticks, _lastTick), _sequence++, account, merchant, Money(amount), channel, null, merchant.City,
                merchant.Latitude, merchant.Longitude, scenario));
        }

        private void Remote(SimAccount account, SimMerchant? merchant, Channel channel, long ticks, double amount, string? device, City place, string? scenario)
        {
            var (lat, lon) = place == account.Home ? (account.Latitude, account.Longitude) : (place.Latitude + random.Normal(0, 0.03), place.Longitude + random.Normal(0, 0.03));
            _drafts.Add(new Draft(Math.Min(ticks, _lastTick), _sequence++, account, merchant, Money(amount), channel, device, place, lat, lon, scenario));
        }

        private static decimal Money(double amount) => Math.Max(0.5m, Math.Round((decimal)amount, 2));
    }

    private sealed record Incident(string Scenario, int LastDay, SimAccount? Account, SimMerchant? Merchant, string? Device, City? Place);
}
