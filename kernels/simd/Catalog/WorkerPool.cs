using System;
using System.Threading;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// Intra-op parallelism without per-call allocation: N−1 worker threads created once, plus the calling
    /// thread. <see cref="Run"/> hands every participant the same <see cref="IParallelTask"/> with its index and
    /// waits for all; kernels split their work by index (e.g. output channel blocks or output rows).
    /// </summary>
    public sealed class WorkerPool : IDisposable
    {
        private readonly Thread[] _threads;
        private readonly SemaphoreSlim[] _start;
        private readonly CountdownEvent _done;
        private IParallelTask _task;
        private volatile bool _stop;

        public WorkerPool(int threads)
        {
            if (threads < 2) throw new ArgumentOutOfRangeException(nameof(threads));
            Count = threads;
            _threads = new Thread[threads - 1];
            _start = new SemaphoreSlim[threads - 1];
            _done = new CountdownEvent(threads - 1);
            for (int i = 0; i < _threads.Length; i++)
            {
                int worker = i + 1;
                _start[i] = new SemaphoreSlim(0);
                _threads[i] = new Thread(() => Loop(worker)) { IsBackground = true, Name = "edge-worker-" + worker };
                _threads[i].Start();
            }
        }

        /// <summary>Participants, the calling thread included.</summary>
        public int Count { get; }

        private void Loop(int worker)
        {
            var sem = _start[worker - 1];
            while (true)
            {
                sem.Wait();
                if (_stop) return;
                try { _task.Execute(worker, Count); }
                finally { _done.Signal(); }
            }
        }

        /// <summary>Runs <paramref name="task"/> on every participant; returns when all are done.</summary>
        public void Run(IParallelTask task)
        {
            _task = task;
            _done.Reset();
            for (int i = 0; i < _start.Length; i++) _start[i].Release();
            task.Execute(0, Count);
            _done.Wait();
            _task = null;
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var s in _start) s.Release();
        }
    }

    /// <summary>A unit of parallel work; implemented by kernels (no closures, so nothing is allocated per call).</summary>
    public interface IParallelTask
    {
        void Execute(int participant, int participants);
    }
}
