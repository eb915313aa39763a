using Coupons.Core;

namespace Coupons.Server.Formats;

public sealed record Identifier(string Type, string Value);

public sealed record CustomerProfile(
    string FirstName, string LastName, Dictionary<string, string> Fields, Dictionary<string, string> AllFields,
    IReadOnlyList<Identifier> Identifiers, IReadOnlyList<object> CommChannels, long UserId, string AccountId,
    DateTimeOffset AutoUpdateTime, IReadOnlyList<Identifier> IdentifiersAll);

/// <summary>The v2 customer object, as issue/multiple answers it; fraudStatus and couponsBlocked are ours.</summary>
public sealed record CustomerView(long Id, IReadOnlyList<CustomerProfile> Profiles, FraudStatus FraudStatus, bool CouponsBlocked)
{
    public static CustomerView From(Customer c)
    {
        var ids = new List<Identifier>();
        if (c.Mobile is not null) ids.Add(new("mobile", c.Mobile));
        if (c.Email is not null) ids.Add(new("email", c.Email));
        if (c.ExternalId is not null) ids.Add(new("externalId", c.ExternalId));
        var profile = new CustomerProfile(c.FirstName, c.LastName, [], [], ids, [], c.Id, "", c.CreatedAt, ids);
        return new CustomerView(c.Id, [profile], c.FraudStatus, c.CouponsBlocked);
    }
}
