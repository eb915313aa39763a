using System.Globalization;
using Coupons.Core;
using Coupons.Server.Formats.V11;
using Coupons.Storage;

namespace Coupons.Server.V11;

/// <summary>How v1.1 reads customers from requests and writes coupons, series and statuses, as the spec's examples show them.</summary>
static class V11Views
{
    /// <summary>A customer as v1.1 names one: mobile, email, external_id, or the customer's id as id/user_id.</summary>
    public static CustomerRef Customer(Func<string, string?> value)
    {
        long? id = long.TryParse(value("user_id") ?? value("customer_id"), out var n) ? n : null;
        return new CustomerRef(
            Mobile: Clean(value("mobile")), Email: Clean(value("email"))?.ToLowerInvariant(),
            ExternalId: Clean(value("external_id") ?? value("externalId")), Id: id);
    }

    public static CustomerRef Customer(V11Node? node) =>
        node is null ? new CustomerRef() : Customer(name => name == "user_id" ? node.Value("user_id") ?? node.Value("id") : node.Value(name));

    public static CustomerRef Customer(IQueryCollection query) => Customer(name => query[name].FirstOrDefault());

    static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public static V11Node ItemStatus(Outcome o, string field = "success", string? successMessage = null) =>
        V11Node.Obj("item_status")
            .Add(field, o.Ok)
            .Add("code", o.Code)
            .Add("message", o.Ok && successMessage is not null ? successMessage : o.Message);

    public static V11Node CustomerNode(Customer? c, CustomerRef asked, bool withUserId)
    {
        var node = V11Node.Obj("customer")
            .Add("mobile", c?.Mobile ?? asked.Mobile)
            .Add("email", c?.Email ?? asked.Email)
            .Add("external_id", c?.ExternalId ?? asked.ExternalId);
        if (withUserId && c is not null) node.Add("user_id", c.Id);
        return node;
    }

    public static string Date(DateTimeOffset? instant, TimeZoneInfo zone, string format = "yyyy-MM-dd") =>
        instant is { } i ? TimeZoneInfo.ConvertTime(i, zone).ToString(format, CultureInfo.InvariantCulture) : "";

    public static string Timestamp(DateTimeOffset? instant, TimeZoneInfo zone) => Date(instant, zone, "yyyy-MM-dd HH:mm:ss");

    public static V11Node SeriesInfo(Series s, bool withId) =>
        (withId ? V11Node.Obj("series_info").Add("id", s.Id) : V11Node.Obj("series_info"))
            .Add("description", s.Description)
            .Add("discount_code", s.DiscountCode)
            .Add("valid_till", s.ValidTillDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("discount_type", s.DiscountType)
            .Add("discount_value", s.DiscountValue)
            .Add("discount_on", s.DiscountOn)
            .Add("detailed_info", s.Info);

    static string Flag(bool b) => b ? "1" : "0";

    /// <summary>A series as coupon/series lists it. Both spellings of the transferable flag are written: the spec's JSON says "transferable", its XML "transferrable".</summary>
    public static V11Node SeriesItem(Series s, TimeZoneInfo zone, string name = "item") =>
        V11Node.Obj(name)
            .Add("id", s.Id)
            .Add("description", s.Description)
            .Add("series_type", s.SeriesType)
            .Add("campaign_name", s.Tag)
            .Add("client_handling_type", s.ClientHandlingType)
            .Add("discount_code", s.DiscountCode)
            .Add("valid_till_date", s.ValidTillDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("valid_days_from_create", s.ValidDaysFromCreation)
            .Add("max_create", s.MaxCreate)
            .Add("max_redeem", s.MaxRedeem)
            .Add("transferable", Flag(s.IsTransferrable))
            .Add("transferrable", Flag(s.IsTransferrable))
            .Add("any_user", Flag(s.AnyUser))
            .Add("same_user_multiple_redeem", Flag(s.SameUserMultipleRedeem))
            .Add("allow_referral_existing_users", Flag(s.IsReferralExistingUsersAllowed))
            .Add("multiple_use", Flag(s.IsMultipleUseAllowed))
            .Add("is_validation_required", Flag(s.IsValidationRequired))
            .Add("created_by", s.CreatedBy)
            .Add("created", Timestamp(s.CreatedOn, zone))
            .Add("last_used", s.LastUsed is null ? "0000-00-00 00:00:00" : Timestamp(s.LastUsed, zone))
            .Add("series_code", s.SeriesCode)
            .Add("sms_template", s.SmsTemplate)
            .Add("disable_sms", Flag(s.IsSMSDisabled))
            .Add("info", s.Info)
            .Add("allow_multiple_vouchers_per_user", Flag(s.IsMultipleVouchersPerUserAllowed))
            .Add("do_not_resend_existing_voucher", Flag(s.DoNotResendExistingVoucher))
            .Add("mutual_exclusive_series_ids", s.MutualExclusiveSeriesIds)
            .Add("store_ids_json", s.StoreIdsJson)
            .Add("dvs_enabled", Flag(s.IsDvsEnabled))
            .Add("dvs_expiry_date", s.DvsExpiryDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("priority", s.Priority)
            .Add("short_sms_template", s.ShortSMSTemplate)
            .Add("max_vouchers_per_user", s.MaxVouchersPerUser)
            .Add("min_days_between_vouchers", s.MinDaysBetweenVouchers)
            .Add("max_referrals_per_referee", s.MaxReferralsPerReferee)
            .Add("discount_on", s.DiscountOn)
            .Add("discount_type", s.DiscountType)
            .Add("discount_value", s.DiscountValue)
            .Add("dvs_items", s.DvsItems)
            .Add("redemption_range", s.RedemptionRange)
            .Add("min_bill_amount", s.MinBillAmount)
            .Add("max_bill_amount", s.MaxBillAmount)
            .Add("redeem_at_store", s.RedeemAtStore)
            .Add(V11Node.Obj("coupons").Add("issued", s.NumIssued).Add("redeemed", s.NumRedeemed));

    /// <summary>A coupon as coupon/get shows it, with its latest live redemption.</summary>
    public static V11Node CouponDetail(CouponDetail d, TimeZoneInfo zone, bool withUserId)
    {
        var k = d.Coupon;
        var customer = V11Node.Obj("customer");
        if (withUserId && d.Customer is not null) customer.Add("user_id", d.Customer.Id);
        customer.Add("name", d.Customer?.FullName).Add("mobile", d.Customer?.Mobile).Add("email", d.Customer?.Email);
        var last = d.Redemptions.LastOrDefault(r => r.Redemption.ReversedAt is null);
        return V11Node.Obj("coupon")
            .Add("code", k.Code)
            .Add("id", k.Id)
            .Add("valid_till", Date(k.ValidTill, zone, "dd-MM-yyyy"))
            .Add("issued_on", Timestamp(k.IssuedOn, zone))
            .Add(customer)
            .Add("pincode", k.PinCode)
            .Add(V11Node.Obj("issued_store").Add("code", d.IssuedAt?.Code).Add("name", d.IssuedAt?.Name))
            .Add("series_id", k.SeriesId)
            .Add("is_absolute", IsAbsolute(d.Series))
            .Add("value", d.Series.DiscountValue)
            .Add(V11Node.Obj("redemption_info")
                .Add("redeemed", last is not null)
                .Add("redeemed_on", last is null ? "" : Timestamp(last.Redemption.RedeemedAt, zone))
                .Add("redeemed_at", last?.TillCode))
            .Add(V11Node.Obj("redeemed_by")
                .Add("firstname", last?.Redeemer.FirstName).Add("lastname", last?.Redeemer.LastName)
                .Add("email", last?.Redeemer.Email).Add("mobile", last?.Redeemer.Mobile))
            .Add(V11Node.Obj("store").Add("code", last?.Store.Code).Add("name", last?.Store.Name))
            .Add(V11Node.Obj("transaction").Add("number", last?.Redemption.TransactionNumber).Add("id", last?.Redemption.Id))
            .Add(ItemStatus(Outcome.Success, "status"));
    }

    public static bool IsAbsolute(Series s) => !s.DiscountType.Equals("PERC", StringComparison.OrdinalIgnoreCase);
}
