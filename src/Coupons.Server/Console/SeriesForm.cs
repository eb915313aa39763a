using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Coupons.Core;

namespace Coupons.Server.WebConsole;

public enum FieldInput { Text, LongText, Number, Amount, Check, Date, List, Json, Choice }

/// <summary>One field of the series form: a settable property of the v2 series object, named as the API names it.</summary>
public sealed record SeriesField(string Name, string Label, string Group, FieldInput Input, string Hint, IReadOnlyList<(string Value, string Text)> Choices);

/// <summary>
/// The series form: every settable field of the API's series object (read from its JSON contract, so a new field
/// shows up by itself), grouped as a marketer thinks of them. What is posted is turned into the same JSON the API
/// receives, then checked by the API's own rules; errors land on the field they name.
/// </summary>
public static class SeriesForm
{
    public static readonly string[] Groups = ["Basics", "Discount", "Validity", "Limits", "Where and when redeemable", "Codes", "Messages", "Other"];

    /// <summary>Counters and bookkeeping the service sets: never on the form.</summary>
    static readonly HashSet<string> ServiceOwned =
        ["id", "orgId", "createdBy", "numIssued", "numRedeemed", "createdOn", "lastUsed", "numUploadedTotal", "numUploadedNonIssued", "pausedAt", "archivedAt"];

    static readonly Dictionary<string, (string Group, string Label, string Hint)> Known = new()
    {
        ["seriesCode"] = ("Basics", "Series code", "Unique in your organisation; tills and reports show it."),
        ["description"] = ("Basics", "Description", "What the customer and the till see, e.g. \"10 off your next visit\"."),
        ["seriesType"] = ("Basics", "Kind of codes", "Fixed once the series exists."),
        ["generic"] = ("Basics", "Shared code", "For a shared-code series: the one code everybody gets."),
        ["tag"] = ("Basics", "Tag", ""),
        ["campaignId"] = ("Basics", "Campaign id", "-1 for none."),
        ["info"] = ("Basics", "Internal note", ""),
        ["priority"] = ("Basics", "Priority", ""),
        ["isTestSeries"] = ("Basics", "Test series (issue and check only, never redeem)", ""),
        ["clientHandlingType"] = ("Basics", "Client handling type", ""),
        ["discountType"] = ("Discount", "Discount type", ""),
        ["discountValue"] = ("Discount", "Discount value", "An amount, or a percentage for PERC."),
        ["discountUpto"] = ("Discount", "Discount up to", "Cap of a percentage discount; 0 for none."),
        ["discountOn"] = ("Discount", "Discount on", "BILL or an item level."),
        ["discountCode"] = ("Discount", "Discount code at the till", ""),
        ["minBillAmount"] = ("Discount", "Minimum bill", "0 for none."),
        ["maxBillAmount"] = ("Discount", "Maximum bill", "0 for none."),
        ["isValidWithDiscountedItem"] = ("Discount", "Valid with discounted items", ""),
        ["brands"] = ("Discount", "Brands", "Comma-separated."),
        ["products"] = ("Discount", "Products", "Comma-separated."),
        ["categories"] = ("Discount", "Categories", "Comma-separated."),
        ["dvsItems"] = ("Discount", "DVS items", ""),
        ["isDvsEnabled"] = ("Discount", "DVS enabled", ""),
        ["dvsExpiryDate"] = ("Discount", "DVS expiry date", "yyyy-mm-dd"),
        ["isUpdateProductData"] = ("Discount", "Update product data (legacy flag)", ""),
        ["updateProductData"] = ("Discount", "Update product data", ""),
        ["expiryStrategyType"] = ("Validity", "Coupons expire", ""),
        ["validTillDate"] = ("Validity", "Series valid until", "yyyy-mm-dd (UTC). Empty: no end."),
        ["validDaysFromCreation"] = ("Validity", "Days valid after issue", "For \"days after issue\"; -1 otherwise."),
        ["expiryStrategyValue"] = ("Validity", "Expiry strategy value", "Days, for \"days after issue\"; -1 otherwise."),
        ["fixedExpiryDate"] = ("Validity", "Fixed expiry date", "yyyy-mm-dd, for \"on a fixed date\"."),
        ["redemptionValidFrom"] = ("Validity", "Redeemable from", "yyyy-mm-dd. Empty: from issue."),
        ["redemptionValidAfterDays"] = ("Validity", "Redeemable after days", "Days after issue before the first redemption."),
        ["maxCreate"] = ("Limits", "Maximum coupons issued", "-1 for no limit."),
        ["maxRedeem"] = ("Limits", "Maximum redemptions in the series", "-1 for no limit."),
        ["isMultipleVouchersPerUserAllowed"] = ("Limits", "A customer may hold several coupons", ""),
        ["maxVouchersPerUser"] = ("Limits", "Maximum coupons per customer", "-1 for no limit."),
        ["minDaysBetweenVouchers"] = ("Limits", "Minimum days between coupons", "-1 for none."),
        ["doNotResendExistingVoucher"] = ("Limits", "Do not resend an existing coupon on issue", ""),
        ["isMultipleUseAllowed"] = ("Limits", "A coupon may be redeemed more than once", ""),
        ["redemptionPerCouponMaxLimit"] = ("Limits", "Maximum redemptions per coupon", "-1 for no limit."),
        ["maxRedemptionsInSeriesPerUser"] = ("Limits", "Maximum redemptions per customer", "-1 for no limit."),
        ["minDaysBetweenRedemption"] = ("Limits", "Minimum days between redemptions", "-1 for none."),
        ["sameUserMultipleRedeem"] = ("Limits", "Same customer may redeem several times", ""),
        ["anyUser"] = ("Limits", "Anyone may redeem (not only the holder)", ""),
        ["isTransferrable"] = ("Limits", "Transferable", ""),
        ["maxReferralsPerReferee"] = ("Limits", "Maximum referrals per referee", "-1 for no limit."),
        ["isReferralExistingUsersAllowed"] = ("Limits", "Referrals of existing customers allowed", ""),
        ["mutualExclusiveSeriesIds"] = ("Limits", "Mutually exclusive series", "JSON list of series ids, [-1] for none."),
        ["redemptionRange"] = ("Where and when redeemable", "Days and hours", "JSON: dom 1..31, dow 0..6, hours 0..23; -1 means any."),
        ["redeemAtStore"] = ("Where and when redeemable", "Redeemable at stores", "JSON list of store ids, [-1] for all."),
        ["storeIdsJson"] = ("Where and when redeemable", "Issued at stores", "JSON list of store ids, [-1] for all."),
        ["redeemStoreType"] = ("Where and when redeemable", "Redeem store type", ""),
        ["validRedemptionOrgEntityDetails"] = ("Where and when redeemable", "Redeemable at org entities", "JSON: concepts, zones, stores, tills."),
        ["entityLevelRedemptionConfigsValues"] = ("Where and when redeemable", "Entity-level redemption configs", "JSON list."),
        ["offlineRedeemType"] = ("Where and when redeemable", "Offline redemption", ""),
        ["isValidationRequired"] = ("Where and when redeemable", "Till must enter the validation code", ""),
        ["showPinCode"] = ("Where and when redeemable", "Show the validation code", ""),
        ["isPreRedeemEventRequired"] = ("Where and when redeemable", "Pre-redeem event required", ""),
        ["signalRedemptionEvent"] = ("Where and when redeemable", "Signal redemption events", ""),
        ["alphaNumeric"] = ("Codes", "Letters and digits", "Off: digits only."),
        ["randomCodeLength"] = ("Codes", "Code length", "For generated codes."),
        ["externalIssual"] = ("Codes", "Issued by an external system", ""),
        ["sourceOrgId"] = ("Codes", "Source organisation id", "-1 for none."),
        ["issueToLoyalty"] = ("Codes", "Issue to loyalty", ""),
        ["isOldFlowEnabled"] = ("Codes", "Old flow enabled", ""),
        ["syncToClient"] = ("Codes", "Sync to client", ""),
        ["smsTemplate"] = ("Messages", "SMS text", "{{voucher}} is replaced by the code."),
        ["shortSMSTemplate"] = ("Messages", "Short SMS text", ""),
        ["isSMSDisabled"] = ("Messages", "No SMS", ""),
        ["emailSubject"] = ("Messages", "Email subject", ""),
        ["emailBody"] = ("Messages", "Email text", ""),
        ["termsAndConditions"] = ("Messages", "Terms and conditions", ""),
    };

    static readonly Dictionary<string, (string, string)[]> ChoicesOf = new()
    {
        ["seriesType"] = [("UNDEFINED", "Generated unique codes"), ("GENERIC", "One shared code"), ("UPLOADED", "Uploaded list of codes")],
        ["discountType"] = [("ABS", "Amount off (ABS)"), ("PERC", "Percentage off (PERC)")],
        ["expiryStrategyType"] = [("SERIES_EXPIRY", "with the series"), ("DAYS", "days after issue"), ("FIXED_DATE", "on a fixed date")],
    };

    static readonly HashSet<string> LongTexts = ["description", "info", "smsTemplate", "shortSMSTemplate", "emailBody", "termsAndConditions", "dvsItems"];

    static readonly IReadOnlyList<(JsonPropertyInfo Property, SeriesField Field)> Catalogue = Build();

    public static IEnumerable<SeriesField> Fields => Catalogue.Select(c => c.Field);

    static IReadOnlyList<(JsonPropertyInfo, SeriesField)> Build()
    {
        var info = CouponJson.Options.GetTypeInfo(typeof(Series));
        return info.Properties
            .Where(p => p.Set is not null && !ServiceOwned.Contains(p.Name))
            .Select(p =>
            {
                var (group, label, hint) = Known.TryGetValue(p.Name, out var k) ? k : ("Other", Humanise(p.Name), "");
                var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                var input = ChoicesOf.ContainsKey(p.Name) ? FieldInput.Choice
                    : type == typeof(string) ? (LongTexts.Contains(p.Name) ? FieldInput.LongText : FieldInput.Text)
                    : type == typeof(int) || type == typeof(long) ? FieldInput.Number
                    : type == typeof(decimal) ? FieldInput.Amount
                    : type == typeof(bool) ? FieldInput.Check
                    : type == typeof(DateTimeOffset) ? FieldInput.Date
                    : type == typeof(string[]) ? FieldInput.List
                    : FieldInput.Json;
                var choices = ChoicesOf.TryGetValue(p.Name, out var c) ? c : [];
                return (p, new SeriesField(p.Name, label, group, input, hint, choices));
            })
            .OrderBy(x => Array.IndexOf(Groups, x.Item2.Group))
            .ThenBy(x => x.Item2.Input == FieldInput.Check)
            .ThenBy(x => Known.Keys.ToList().IndexOf(x.Item2.Name) is var i and >= 0 ? i : int.MaxValue)
            .ToList();
    }

    static string Humanise(string name) =>
        string.Concat(name.Select((ch, i) => i > 0 && char.IsUpper(ch) && !char.IsUpper(name[i - 1]) ? " " + char.ToLowerInvariant(ch) : ch.ToString()))
            is var s && s.Length > 0 ? char.ToUpperInvariant(s[0]) + s[1..] : s;

    /// <summary>The form's values for a stored series (or the API's defaults for a new one), as the inputs show them.</summary>
    public static Dictionary<string, string> ValuesOf(Series series)
    {
        var json = JsonSerializer.SerializeToNode(series, CouponJson.Options)!.AsObject();
        var values = new Dictionary<string, string>();
        foreach (var (_, field) in Catalogue)
        {
            var node = json[field.Name];
            values[field.Name] = node switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => field.Input == FieldInput.Date && s.EndsWith("T00:00:00Z", StringComparison.Ordinal) ? s[..10] : s,
                JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
                JsonValue v => v.ToJsonString(),
                JsonArray a when field.Input == FieldInput.List => string.Join(", ", a.Select(x => x?.GetValue<string>())),
                _ => node.ToJsonString(),
            };
        }
        return values;
    }

    /// <summary>
    /// What a marketer typed, read into a series, and per field why it cannot be read; a field that cannot be read
    /// keeps its default in the series, so the rules still judge every other field of the same submit.
    /// </summary>
    public static (Series Series, Dictionary<string, string> Errors) Read(IReadOnlyDictionary<string, string> posted)
    {
        var json = new JsonObject();
        var errors = new Dictionary<string, string>();
        foreach (var (property, field) in Catalogue)
        {
            var raw = (posted.GetValueOrDefault(field.Name) ?? "").Trim();
            JsonNode? node = null;
            string? error = null;
            switch (field.Input)
            {
                case FieldInput.Check:
                    node = raw == "true";
                    break;
                case FieldInput.Number:
                    if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                        && (property.PropertyType != typeof(int) || n is >= int.MinValue and <= int.MaxValue))
                        node = n;
                    else error = "enter a whole number (-1 where it means none)";
                    break;
                case FieldInput.Amount:
                    if (decimal.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)) node = d;
                    else error = "enter an amount such as 10 or 12.50";
                    break;
                case FieldInput.Date:
                    if (raw.Length == 0) node = null;
                    else if (DateTimeOffset.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day)
                             || DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out day))
                        node = day.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    else error = "enter a date as yyyy-mm-dd";
                    break;
                case FieldInput.List:
                    node = new JsonArray(raw.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(x => (JsonNode?)x).ToArray());
                    break;
                case FieldInput.Json:
                    if (raw.Length == 0) continue;
                    try
                    {
                        node = JsonNode.Parse(raw);
                        JsonSerializer.Deserialize(node, property.PropertyType, CouponJson.Options);
                    }
                    catch (JsonException)
                    {
                        error = "must be JSON of the shape shown";
                    }
                    break;
                default:
                    node = posted.GetValueOrDefault(field.Name) ?? "";
                    break;
            }
            if (error is not null) errors[field.Name] = error;
            else json[field.Name] = node;
        }
        return (json.Deserialize<Series>(CouponJson.Options)!, errors);
    }

    /// <summary>The field an outcome of the API's series rules or of the store is about; null when it concerns the whole form.</summary>
    public static string? FieldOf(Outcome outcome) => outcome.Code switch
    {
        Status.EmptySeriesCode or Status.DuplicateSeriesCode or Status.DuplicateSeriesCodeOnUpdate => "seriesCode",
        Status.GenericCodeMissing => "generic",
        Status.InvalidMutualExclusion => "mutualExclusiveSeriesIds",
        _ when outcome.Detail?.Split(' ', 2)[0] is { } first && Catalogue.Any(c => c.Field.Name == first) => first,
        _ => null,
    };
}
