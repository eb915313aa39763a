using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coupons.Core;
using Coupons.Storage;

namespace Coupons.Server.V2;

public enum CodeCase { Upper, Lower, AsItIs }

public sealed record StatusCodeView(bool Status, int Code, string Message);

/// <summary>The status object of the customer-coupons entity: statusCode, repeated flat.</summary>
public sealed record CouponStatusView(
    StatusCodeView StatusCode, IReadOnlyList<object> Warnings, IReadOnlyList<object> WarningsAsStatusCode, int Code, bool Success, string Message)
{
    public static CouponStatusView Of(bool ok, int code, string message) => new(new(ok, code, message), [], [], code, ok, message);
}

public sealed record IssuedAtView(long Id, string Code, string Description, string Name, string Type, string AdminType, bool IsOrgUnit)
{
    public static IssuedAtView From(Store s) => new(s.Id, s.Code, "", s.Name, "STORE", "GENERAL", false);
}

public sealed record RedemptionInfo(
    long RedemptionId, DateTimeOffset RedemptionDate, string? TransactionNumber, decimal? BillAmount,
    string StoreCode, string StoreName, string TillCode, long RedeemedBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ReversedOn,
    decimal? DiscountAmount)
{
    public static RedemptionInfo From(RedemptionView v) => new(
        v.Redemption.Id, v.Redemption.RedeemedAt, v.Redemption.TransactionNumber, v.Redemption.BillAmount,
        v.Store.Code, v.Store.Name, v.TillCode, v.Redeemer.Id, v.Redemption.ReversedAt, v.Redemption.DiscountAmount);
}

/// <summary>
/// Writes a coupon's series (about 90 fields) from the JSON last written for an equal series, so a listing of 1,000
/// coupons does not serialize the same series objects again on every call: writing them was most of the listing's
/// CPU. The cache is keyed by series id and checked by value (a record's equality), so any change to a series, its
/// counters included, is written afresh. Output is byte for byte what the serializer writes with the API's options.
/// </summary>
public sealed class CachedSeriesConverter : JsonConverter<Series>
{
    const int MaxEntries = 20_000;
    static readonly ConcurrentDictionary<long, (Series Series, byte[] Json)> Written = new();

    public override Series Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("the customer-coupons view is only written");

    public override void Write(Utf8JsonWriter writer, Series value, JsonSerializerOptions options)
    {
        if (!Written.TryGetValue(value.Id, out var entry) || !entry.Series.Equals(value))
        {
            entry = (value, JsonSerializer.SerializeToUtf8Bytes(value, CouponJson.Options));
            if (Written.Count >= MaxEntries) Written.Clear();
            Written[value.Id] = entry;
        }
        writer.WriteRawValue(entry.Json, skipInputValidation: true);
    }
}

/// <summary>One coupon of GET /v2/customers/{id}/coupons, with the fields of the spec's example in its order.</summary>
public sealed record CustomerCouponView(
    long Id, long SeriesId, [property: JsonConverter(typeof(CachedSeriesConverter))] Series Series, string Code, string Description, DateTimeOffset? CreatedDate, DateTimeOffset? ValidTill,
    bool IsRedeemed, long? IssuedTo, long? IssuedBy, long OrgId, long RefId, IssuedAtView? IssuedAt, CouponStatusView Status,
    string CouponDiscountType, DateTimeOffset? IssuedOn, DateTimeOffset? ActiveFrom, int RedemptionsLeft, CouponStatusView CouponStatus,
    IReadOnlyList<RedemptionInfo> RedemptionInfo, IReadOnlyList<RedemptionInfo> ReversedRedemptionInfo,
    bool DiscountType, decimal DiscountValue, double DiscountValueAsDouble, decimal DiscountUpto, string TrimmedCode,
    string SeriesName, bool Redeemed)
{
    public static CustomerCouponView From(CouponDetail d, CodeCase codeCase)
    {
        var (k, s) = (d.Coupon, d.Series);
        var code = codeCase switch
        {
            CodeCase.Lower => k.Code.ToLowerInvariant(),
            CodeCase.AsItIs => k.Code,
            _ => k.Code.ToUpperInvariant(),
        };
        var status = k.Revoked
            ? CouponStatusView.Of(false, Core.Status.Revoked, Core.Status.V2Message(Core.Status.Revoked))
            : CouponStatusView.Of(true, Core.Status.Success, Core.Status.V2Message(Core.Status.Success));
        var redeemed = k.NumRedemptions > 0;
        return new CustomerCouponView(
            k.Id, k.SeriesId, s, code, s.Description, k.IssuedOn, k.ValidTill, redeemed, k.CustomerId, k.IssuedByTillId, k.OrgId, 0,
            d.IssuedAt is null ? null : IssuedAtView.From(d.IssuedAt), status, s.DiscountType, k.IssuedOn, ActiveFromOf(k, s),
            LeftFor(k, s), CouponStatusView.Of(true, 200, "Success"),
            d.Redemptions.Where(r => r.Redemption.ReversedAt is null).Select(Coupons.Server.V2.RedemptionInfo.From).ToList(),
            d.Redemptions.Where(r => r.Redemption.ReversedAt is not null).Select(Coupons.Server.V2.RedemptionInfo.From).ToList(),
            true, s.DiscountValue, (double)s.DiscountValue, s.DiscountUpto, code.Trim(), s.Description, redeemed);
    }

    /// <summary>-1 when unlimited; a single-use coupon has one; else what redemptionPerCouponMaxLimit leaves.</summary>
    public static int LeftFor(Coupon k, Series s) =>
        !s.IsMultipleUseAllowed ? Math.Max(0, 1 - k.NumRedemptions)
        : s.RedemptionPerCouponMaxLimit <= 0 ? -1
        : Math.Max(0, s.RedemptionPerCouponMaxLimit - k.NumRedemptions);

    /// <summary>The first instant the coupon may be redeemed: issue + redemptionValidAfterDays, not before the series' redemptionValidFrom.</summary>
    static DateTimeOffset? ActiveFromOf(Coupon k, Series s)
    {
        if (k.IssuedOn is not { } issued) return s.RedemptionValidFrom;
        var from = issued.AddDays(Math.Max(0, s.RedemptionValidAfterDays));
        return s.RedemptionValidFrom is { } seriesFrom && seriesFrom > from ? seriesFrom : from;
    }
}

public sealed record CustomerCouponsResponse(IReadOnlyList<CustomerCouponView> Entity, IReadOnlyList<object> Warnings, IReadOnlyList<object> Errors, bool Success);
