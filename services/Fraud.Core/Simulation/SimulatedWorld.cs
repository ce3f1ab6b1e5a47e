using System.Globalization;

namespace Fraud.Core.Simulation;

internal sealed class SimMerchant(int index, MerchantCategory category, City city, double latitude, double longitude)
{
    public int Index { get; } = index;
    public string Id { get; } = string.Create(CultureInfo.InvariantCulture, $"merch-{index:D5}");
    public MerchantCategory Category { get; } = category;
    public City City { get; } = city;
    public double Latitude { get; } = latitude;
    public double Longitude { get; } = longitude;
}

/// <summary>An account's fixed habits and its few pieces of changing state (travel, devices).</summary>
internal sealed class SimAccount
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required City Home { get; init; }
    public required double Latitude { get; init; }
    public required double Longitude { get; init; }
    public required double MeanAmount { get; init; }
    public required double DailyRate { get; init; }
    public required double PeakHour { get; init; }
    public required double HourSpread { get; init; }
    public required double OnlineShare { get; init; }
    public required double WeekendFactor { get; init; }
    public required int[] Favourites { get; init; }
    public required double[] FavouriteWeights { get; init; }
    public required int[] OnlineFavourites { get; init; }
    public required List<string> Devices { get; init; }

    public City? TravelCity { get; set; }
    public int TravelUntilDay { get; set; } = -1;
    public double FavouriteTotal => _favouriteTotal ??= FavouriteWeights.Sum();

    private double? _favouriteTotal;
}

/// <summary>Accounts and merchants with their own habits and places, drawn once from the seed.</summary>
internal sealed class SimulatedWorld
{
    public SimulatedWorld(SimulatorOptions options, Prng random)
    {
        var cities = City.All;
        var cityWeights = cities.Select(c => c.Weight).ToArray();
        var cityTotal = cityWeights.Sum();
        var categoryShares = MerchantCategory.All.Select(c => c.Share).ToArray();

        // Every city gets a few merchants of the everyday kinds and an ATM, so travellers can spend there.
        var merchants = new List<SimMerchant>(options.Merchants);
        foreach (var city in cities)
        {
            foreach (var name in new[] { "grocery", "restaurant", "atm" })
            {
                if (merchants.Count < options.Merchants)
                {
                    merchants.Add(Place(merchants.Count, MerchantCategory.All.First(c => c.Name == name), city, random));
                }
            }
        }

        while (merchants.Count < options.Merchants)
        {
            var category = MerchantCategory.All[random.Pick(categoryShares, categoryShares.Sum())];
            merchants.Add(Place(merchants.Count, category, cities[random.Pick(cityWeights, cityTotal)], random));
        }

        Merchants = [.. merchants];
        PhysicalByCity = cities.ToDictionary(c => c, c => Merchants.Where(m => m.City == c && !m.Category.Online && !m.Category.IsAtm).Select(m => m.Index).ToArray());
        AtmByCity = cities.ToDictionary(c => c, c => Merchants.Where(m => m.City == c && m.Category.IsAtm).Select(m => m.Index).ToArray());
        Online = Merchants.Where(m => m.Category.Online).Select(m => m.Index).ToArray();
        if (Online.Length == 0)
        {
            Online = [Merchants[^1].Index];
        }

        AllPhysical = Merchants.Where(m => !m.Category.Online && !m.Category.IsAtm).Select(m => m.Index).ToArray();
        HighValue = Merchants.Where(m => m.Category.Name is "electronics" or "travel" or "online_retail").Select(m => m.Index).ToArray();
        if (HighValue.Length == 0)
        {
            HighValue = Online;
        }

        Accounts = new SimAccount[options.Accounts];
        for (var i = 0; i < Accounts.Length; i++)
        {
            Accounts[i] = CreateAccount(i, cities[random.Pick(cityWeights, cityTotal)], random);
        }
    }

    public SimMerchant[] Merchants { get; }
    public SimAccount[] Accounts { get; }
    public Dictionary<City, int[]> PhysicalByCity { get; }
    public Dictionary<City, int[]> AtmByCity { get; }
    public int[] Online { get; }
    public int[] HighValue { get; }
    public int[] AllPhysical { get; }

    private static SimMerchant Place(int index, MerchantCategory category, City city, Prng random) =>
        new(index, category, city, city.Latitude + random.Normal(0, 0.05), city.Longitude + random.Normal(0, 0.05));

    private SimAccount CreateAccount(int index, City home, Prng random)
    {
        // Small worlds leave some cities without shops: their people shop wherever there are some.
        var local = PhysicalByCity[home].Length > 0 ? PhysicalByCity[home] : AllPhysical;
        var favouriteCount = Math.Min(local.Length, 4 + random.Next(12));
        var favourites = new int[favouriteCount];
        var weights = new double[favouriteCount];
        for (var k = 0; k < favouriteCount; k++)
        {
            favourites[k] = local[random.Next(local.Length)];
            weights[k] = 1.0 / (k + 1); // Zipf: a few places get most of the visits
        }

        var online = new int[1 + random.Next(4)];
        for (var k = 0; k < online.Length; k++)
        {
            online[k] = Online[random.Next(Online.Length)];
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"acct-{index:D6}");
        var devices = new List<string> { string.Create(CultureInfo.InvariantCulture, $"dev-{index:D6}-0") };
        if (random.Chance(0.4))
        {
            devices.Add(string.Create(CultureInfo.InvariantCulture, $"dev-{index:D6}-1"));
        }

        return new SimAccount
        {
            Index = index,
            Id = id,
            Home = home,
            Latitude = home.Latitude + random.Normal(0, 0.04),
            Longitude = home.Longitude + random.Normal(0, 0.04),
            MeanAmount = Math.Clamp(random.LogNormal(40, 0.7), 4, 2000),
            DailyRate = Math.Clamp(random.LogNormal(1.5, 0.6), 0.1, 10),
            PeakHour = Math.Clamp(random.Normal(14, 3), 8, 21),
            HourSpread = random.Uniform(1.5, 4),
            OnlineShare = random.Uniform(0.05, 0.4),
            WeekendFactor = random.Uniform(0.6, 1.5),
            Favourites = favourites,
            FavouriteWeights = weights,
            OnlineFavourites = online,
            Devices = devices,
        };
    }
}
