using System.Runtime.CompilerServices;

namespace Fraud.Core.Features;

// Fixed buffers stored inline in the profile objects: no array headers or pointers per profile,
// which is what keeps an account profile well under 1 KB.

[InlineArray(AccountProfile.RecentCapacity)]
internal struct RecentInts
{
    private int _element;
}

[InlineArray(AccountProfile.RecentCapacity)]
internal struct RecentFloats
{
    private float _element;
}

[InlineArray(AccountProfile.KnownCapacity)]
internal struct KnownIds
{
    private int _element;
}

[InlineArray(MerchantProfile.RingDays)]
internal struct DayCounts
{
    private int _element;
}

[InlineArray(MerchantProfile.RingDays)]
internal struct DayFrauds
{
    private ushort _element;
}

[InlineArray(MerchantProfile.RecentCapacity)]
internal struct MerchantRecentInts
{
    private int _element;
}
