using Orleans.Runtime;

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
