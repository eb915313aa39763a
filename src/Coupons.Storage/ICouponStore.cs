using Coupons.Core;

namespace Coupons.Storage;

/// <summary>
/// Every storage operation the service performs, shaped like its use cases. Each write is one transaction;
/// every operation that reads or writes tenant data takes the caller's organisation and filters by it.
/// SQLite and PostgreSQL implement it and pass the same test suite.
/// </summary>
public interface ICouponStore
{
    Task MigrateAsync(CancellationToken ct = default);
    Task<bool> PingAsync(CancellationToken ct = default);

    // Tenancy
    Task<bool> HasOrganisationsAsync();
    Task<Result<long>> CreateOrganisationAsync(string name, string storeCode, string storeName, string tillCode, string passwordHash);
    Task<TillLogin?> FindLoginAsync(string tillCode);
    Task<Result<Store>> CreateStoreAsync(long orgId, string code, string name);
    Task<IReadOnlyList<Store>> ListStoresAsync(long orgId);
    Task<Result<Till>> CreateTillAsync(long orgId, string code, string passwordHash, string storeCode, string role);
    Task<IReadOnlyList<Till>> ListTillsAsync(long orgId);
    Task<Organisation?> GetOrganisationAsync(long orgId);
    Task UpdateOrganisationAsync(Organisation org);

    // Customers
    Task<Result<long>> CreateCustomerAsync(long orgId, Customer customer);
    Task<Customer?> GetCustomerAsync(long orgId, long id);
    Task<Customer?> FindCustomerAsync(long orgId, CustomerRef who);
    Task<bool> SetCustomerStatusAsync(long orgId, long id, FraudStatus fraud, bool couponsBlocked);

    // Series and codes
    Task<Result<Series>> CreateSeriesAsync(long orgId, long createdBy, Series series);
    Task<Result<Series>> UpdateSeriesAsync(long orgId, long id, Series series);
    Task<Series?> GetSeriesAsync(long orgId, long id);
    Task<IReadOnlyList<Series>> ListSeriesAsync(long orgId, int offset, int limit);
    /// <summary>Which of these store and series ids exist in the organisation (what a series' id lists may name).</summary>
    Task<KnownIds> KnownIdsAsync(long orgId, IReadOnlyCollection<long> storeIds, IReadOnlyCollection<long> seriesIds);
    Task<Result<UploadSummary>> UploadCodesAsync(long orgId, long seriesId, IReadOnlyList<string> codes);
    /// <summary>Pauses, resumes, archives or unarchives a series; null when the organisation has no such series.</summary>
    Task<Series?> ChangeSeriesLifecycleAsync(long orgId, long id, SeriesLifecycleChange change);

    // Coupons: the use cases of the v1.1 and v2 APIs
    /// <summary>Issues up to <paramref name="count"/> coupons of one series to one customer, in one transaction.</summary>
    Task<IssueResult> IssueAsync(Caller caller, long seriesId, CustomerRef who, int count = 1, string? metadata = null);
    /// <summary>Redeems every item, or (with <paramref name="allOrNothing"/>) none when any fails; the others then report 749.</summary>
    Task<RedeemResult> RedeemAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items, bool allOrNothing);
    /// <summary>The redeem rules applied to each code, changing nothing.</summary>
    Task<RedeemResult> CheckRedeemableAsync(Caller caller, CustomerRef who, IReadOnlyList<RedeemRequest> items);
    /// <summary>Sends a coupon of this customer again (an outbox message in the same transaction).</summary>
    Task<Result<CouponDetail>> ResendAsync(Caller caller, CustomerRef who, long? couponId, string? code);
    /// <summary>Reverses live redemptions, all or none: 510 when any id is not a live redemption of this organisation.
    /// Answers what each reversal undid, in the order of the distinct ids.</summary>
    Task<Result<IReadOnlyList<ReversedRedemption>>> ReverseAsync(Caller caller, IReadOnlyList<long> redemptionIds);
    /// <summary>Attaches a transaction number, bill amount (733 outside the series' bounds; the discount is computed again
    /// from it) and custom fields to a live redemption (510 otherwise).</summary>
    Task<Result<AmendedRedemption>> AmendRedemptionAsync(
        Caller caller, long redemptionId, string? transactionNumber, decimal? billAmount, IReadOnlyList<CustomFields.Field> customFields);
    Task<IReadOnlyList<CouponDetail>> GetCouponsAsync(long orgId, IReadOnlyList<long> ids, IReadOnlyList<string> codes);
    Task<IReadOnlyList<CouponDetail>> ListCustomerCouponsAsync(long orgId, long customerId);
    /// <summary>Revokes an issued coupon: it stays listed but can no longer be redeemed (660). False when no such issued coupon.</summary>
    Task<bool> RevokeAsync(long orgId, long couponId);

    // Idempotency keys (see SqlStore.Idempotency.cs)
    Task<IdempotencyClaim> ClaimIdempotencyKeyAsync(long orgId, string key, string requestHash, TimeSpan lifetime, TimeSpan lease);
    Task CompleteIdempotencyKeyAsync(long orgId, string key, string owner, int status, string? contentType, byte[] body);
    Task ReleaseIdempotencyKeyAsync(long orgId, string key, string owner);

    // Notifications
    /// <summary>Expands due outbox events into deliveries (one per channel and subscribed webhook endpoint), in one transaction; returns the events expanded.</summary>
    Task<int> ExpandOutboxAsync(int batch, CancellationToken ct = default);
    /// <summary>Takes up to <paramref name="batch"/> due deliveries for this node for <paramref name="lease"/>; other nodes skip them.</summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDeliveriesAsync(int batch, TimeSpan lease, CancellationToken ct = default);
    Task<bool> SettleDeliveryAsync(Delivery delivery, AttemptOutcome outcome, int maxAttempts);
    Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(long orgId, string? status, int offset, int limit);
    Task<(Delivery Delivery, IReadOnlyList<DeliveryAttempt> Attempts)?> GetDeliveryAsync(long orgId, long id);
    Task<bool> RetryDeliveryAsync(long orgId, long id);
    Task<WebhookEndpoint> CreateWebhookAsync(long orgId, string url, IReadOnlyList<string> events, string secret);
    Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(long orgId);
    Task<bool> DeleteWebhookAsync(long orgId, long id);

    // Console
    /// <summary>Series newest first, with their counters; <paramref name="search"/> matches series code or description, any case.
    /// Archived series only with <paramref name="withArchived"/>.</summary>
    Task<IReadOnlyList<Series>> SearchSeriesAsync(long orgId, string? search, int offset, int limit, bool withArchived = false);
    /// <summary>One row per UTC day from <paramref name="from"/> to <paramref name="to"/>, days without activity included.</summary>
    Task<IReadOnlyList<SeriesDay>> SeriesActivityAsync(long orgId, long seriesId, DateOnly from, DateOnly to);
    /// <summary>Streams the series' issues and live redemptions within <paramref name="figures"/>' range into it; false when the
    /// organisation has no such series.</summary>
    Task<bool> SeriesFiguresAsync(long orgId, long seriesId, CampaignFigures figures, CancellationToken ct = default);
    /// <summary>A series' coupons, issued or not, by id, streamed (see Exports.cs).</summary>
    IAsyncEnumerable<CouponExportRow> ExportCouponsAsync(long orgId, long seriesId, CancellationToken ct = default);
    /// <summary>Redemptions (reversed ones included) of one series or of the whole organisation with a redemption time in [since, until), oldest first, streamed.</summary>
    IAsyncEnumerable<RedemptionExportRow> ExportRedemptionsAsync(long orgId, long? seriesId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default);
    /// <summary>The service's data-protection key ring (XML elements), shared by all nodes; not tenant data.</summary>
    Task<IReadOnlyList<string>> ListDataProtectionKeysAsync();
    /// <summary>Adds one key element; a name already stored is left as it is.</summary>
    Task StoreDataProtectionKeyAsync(string name, string xml);
}

/// <summary>A value, or the catalogue code saying why there is none.</summary>
public readonly record struct Result<T>(T? Value, Outcome Outcome)
{
    public bool Ok => Outcome.Ok;
    public static Result<T> Success(T value) => new(value, Outcome.Success);
    public static Result<T> Fail(Outcome outcome) => new(default, outcome);
    public static implicit operator Result<T>(Outcome outcome) => Fail(outcome);
}

public sealed record TillLogin(Caller Caller, string PasswordHash);

public sealed record UploadSummary(int Received, int Stored, int Duplicates, int Rejected, IReadOnlyList<string> DuplicateCodes, IReadOnlyList<string> RejectedCodes);
