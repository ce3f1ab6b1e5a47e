namespace Fraud.Core.Simulation;

/// <summary>A place accounts live in and merchants trade from. <see cref="Weight"/> is its share of accounts.</summary>
internal sealed record City(string Name, string Country, string Currency, double Latitude, double Longitude, double Weight)
{
    /// <summary>Most accounts live in a handful of home markets; the rest are destinations for travel and fraud.</summary>
    public static readonly City[] All =
    [
        new("London", "GB", "GBP", 51.5074, -0.1278, 10),
        new("Manchester", "GB", "GBP", 53.4808, -2.2426, 4),
        new("Paris", "FR", "EUR", 48.8566, 2.3522, 9),
        new("Lyon", "FR", "EUR", 45.7640, 4.8357, 3),
        new("Berlin", "DE", "EUR", 52.5200, 13.4050, 8),
        new("Munich", "DE", "EUR", 48.1351, 11.5820, 4),
        new("Madrid", "ES", "EUR", 40.4168, -3.7038, 6),
        new("Barcelona", "ES", "EUR", 41.3874, 2.1686, 4),
        new("Milan", "IT", "EUR", 45.4642, 9.1900, 5),
        new("Rome", "IT", "EUR", 41.9028, 12.4964, 4),
        new("Amsterdam", "NL", "EUR", 52.3676, 4.9041, 4),
        new("Brussels", "BE", "EUR", 50.8503, 4.3517, 2),
        new("Warsaw", "PL", "PLN", 52.2297, 21.0122, 3),
        new("Stockholm", "SE", "SEK", 59.3293, 18.0686, 2),
        new("Dublin", "IE", "EUR", 53.3498, -6.2603, 2),
        new("New York", "US", "USD", 40.7128, -74.0060, 8),
        new("Chicago", "US", "USD", 41.8781, -87.6298, 4),
        new("San Francisco", "US", "USD", 37.7749, -122.4194, 4),
        new("Toronto", "CA", "CAD", 43.6532, -79.3832, 3),
        new("Mexico City", "MX", "MXN", 19.4326, -99.1332, 1),
        new("São Paulo", "BR", "BRL", -23.5505, -46.6333, 1),
        new("Buenos Aires", "AR", "ARS", -34.6037, -58.3816, 0.5),
        new("Lagos", "NG", "NGN", 6.5244, 3.3792, 0.5),
        new("Johannesburg", "ZA", "ZAR", -26.2041, 28.0473, 0.5),
        new("Dubai", "AE", "AED", 25.2048, 55.2708, 1),
        new("Mumbai", "IN", "INR", 19.0760, 72.8777, 1),
        new("Singapore", "SG", "SGD", 1.3521, 103.8198, 1),
        new("Hong Kong", "HK", "HKD", 22.3193, 114.1694, 1),
        new("Tokyo", "JP", "JPY", 35.6762, 139.6503, 1),
        new("Sydney", "AU", "AUD", -33.8688, 151.2093, 1),
    ];
}
