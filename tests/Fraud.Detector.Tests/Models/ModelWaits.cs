using Fraud.Core.Model;
using Fraud.Detector.Models;

namespace Fraud.Detector.Tests.Models;

/// <summary>Waits for the background training of a <see cref="ModelHost"/>.</summary>
internal static class ModelWaits
{
    /// <summary>The host's model once it is a <typeparamref name="T"/> other than <paramref name="previous"/>.</summary>
    public static async Task<T> NewModelAsync<T>(ModelHost models, FraudModel? previous = null)
        where T : FraudModel
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (models.Current.Model is T model && !ReferenceEquals(model, previous))
            {
                return model;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no new {typeof(T).Name} within 120 s; the detector says: {models.Description}");
    }
}
