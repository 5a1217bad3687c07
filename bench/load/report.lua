-- wrk script: rotates through the request lines in $WRK_PATHS (method, path, optional body file)
-- and prints one RESULT line with requests/s and latency percentiles in milliseconds.
local lines = {}
local token = os.getenv("WRK_TOKEN")
local i = 0

init = function(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    lines[#lines + 1] = line
  end
end

request = function()
  i = i % #lines + 1
  local method, path, body = lines[i]:match("^(%S+)%s+(%S+)%s*(.*)$")
  local headers = { ["Authorization"] = "Bearer " .. token }
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/json"
  else
    body = nil
  end
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.0f p50=%.2f p95=%.2f p99=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
