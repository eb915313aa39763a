using System.Data.Common;
using Coupons.Core;
using Dapper;

namespace Coupons.Storage;

/// <summary>Customers: create, find by what a request names, fraud status and blocking.</summary>
public abstract partial class SqlStore
{
    const string CustomerColumns = "id, org_id, first_name, last_name, mobile, email, external_id, fraud_status, coupons_blocked, created_at";

    public Task<Result<long>> CreateCustomerAsync(long orgId, Customer customer) =>
        WriteAsync<Result<long>>(async (c, tx) =>
        {
            var taken = await c.QueryFirstOrDefaultAsync<string>(
                """
                SELECT CASE WHEN mobile = @Mobile THEN 'mobile' WHEN email = @Email THEN 'email' ELSE 'externalId' END
                FROM customers WHERE org_id = @orgId AND (mobile = @Mobile OR email = @Email OR external_id = @ExternalId)
                LIMIT 1
                """, new { orgId, customer.Mobile, customer.Email, customer.ExternalId }, tx);
            if (taken is not null) return new Outcome(Status.BadRequest, $"another customer already has this {taken}");
            var id = await c.ExecuteScalarAsync<long>(
                """
                INSERT INTO customers (org_id, first_name, last_name, mobile, email, external_id, fraud_status, coupons_blocked, created_at)
                VALUES (@orgId, @FirstName, @LastName, @Mobile, @Email, @ExternalId, @fraud, @CouponsBlocked, @now) RETURNING id
                """, new
                {
                    orgId,
                    customer.FirstName,
                    customer.LastName,
                    customer.Mobile,
                    customer.Email,
                    customer.ExternalId,
                    fraud = (int)customer.FraudStatus,
                    customer.CouponsBlocked,
                    now = Now
                }, tx);
            return Result<long>.Success(id);
        });

    public Task<Customer?> GetCustomerAsync(long orgId, long id) =>
        ReadAsync(c => c.QuerySingleOrDefaultAsync<Customer>(
            $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND id = @id", new { orgId, id }));

    public Task<Customer?> FindCustomerAsync(long orgId, CustomerRef who) =>
        ReadAsync(c => FindCustomerAsync(c, null, orgId, who, lockRow: false));

    /// <summary>The customer a request names; the id wins, then mobile, email, external id. Locks the row when asked,
    /// which serialises every issue and redemption of one customer across all nodes.</summary>
    protected async Task<Customer?> FindCustomerAsync(DbConnection c, DbTransaction? tx, long orgId, CustomerRef who, bool lockRow)
    {
        if (CustomerCondition(who) is not (string column, object value)) return null;
        return await c.QuerySingleOrDefaultAsync<Customer>(
            $"SELECT {CustomerColumns} FROM customers WHERE org_id = @orgId AND {column} = @value{(lockRow ? ForUpdate : "")}",
            new { orgId, value }, tx);
    }

    /// <summary>The column and value that find the customer a request names (id, then mobile, email, external id); null when it names none.</summary>
    protected static (string Column, object Value)? CustomerCondition(CustomerRef who) => who switch
    {
        { Id: { } id } => ("id", id),
        { Mobile: { Length: > 0 } m } => ("mobile", m),
        { Email: { Length: > 0 } e } => ("email", e),
        { ExternalId: { Length: > 0 } x } => ("external_id", x),
        _ => null,
    };

    public Task<bool> SetCustomerStatusAsync(long orgId, long id, FraudStatus fraud, bool couponsBlocked) =>
        WriteAsync(async (c, tx) => await c.ExecuteAsync(
            "UPDATE customers SET fraud_status = @fraud, coupons_blocked = @couponsBlocked WHERE org_id = @orgId AND id = @id",
            new { orgId, id, fraud = (int)fraud, couponsBlocked }, tx) == 1);
}
