using Orleans.Runtime;
using Polly;

namespace Crm.Storage;

/// <summary>Which failures to wait out and try again (the database or a silo is away for a moment), as opposed to failures of what was asked.</summary>
public static class TransientFailures
{
    public const string RetryPipeline = "crm-transient-retry";

    public static bool Is(Exception exception) => exception switch
    {
        TransientFailureException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException => true,
        _ => DatabaseErrors.IsTransient(exception),
    };
}

/// <summary>Turns a grain's transient failures into <see cref="TransientFailureException"/>, which every caller, on any silo, recognizes.</summary>
public sealed class TransientFailureFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (ex is not TransientFailureException && DatabaseErrors.IsTransient(ex))
        {
            throw new TransientFailureException($"{context.InterfaceMethod?.Name}: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// Runs work and, when it fails transiently, tries it again through the resilience pipeline for as long as the failure
/// lasts. The first attempt runs directly: the pipeline's bookkeeping is paid only by work that failed. Resumes on the
/// caller's scheduler, as grain code must.
/// </summary>
public sealed class TransientRetry(ResiliencePipeline pipeline)
{
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (TransientFailures.Is(ex))
        {
            // Waited out below.
        }

        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true);
        try
        {
            return await pipeline.ExecuteAsync(async _ => await work(), context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task RunAsync(Func<Task> work) => RunAsync(async () =>
    {
        await work();
        return true;
    });
}
