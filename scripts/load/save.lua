-- wrk: each thread has one connection and one signed-in session, and saves its own CE Event
-- (Save on the CE Event form: `ce/save`) again and again, carrying the version each save returns.
-- SAVE_SESSIONS names a file of lines: cookie<TAB>client_id<TAB>event_id<TAB>version<TAB>date acknowledged.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end

function init(args)
  local i = 0
  for line in io.lines(os.getenv("SAVE_SESSIONS")) do
    i = i + 1
    if i == index then
      cookie, client, event, version, acknowledged = line:match("([^\t]+)\t(%d+)\t(%d+)\t(%d+)\t([%d-]+)")
    end
  end
  assert(cookie, "no session for thread " .. index)
  version = tonumber(version)
  failed = 0
end

function request()
  local body = string.format(
    "record[client_id]=%s&record[event_id]=%s&record[version]=%d" ..
    "&draft[date_referral_acknowledged]=%s&draft[provider_contact_name]=Casey+Moreno" ..
    "&draft[provider_contact_phone]=&draft[provider_contact_email]=&draft[referral_result]=" ..
    "&draft[result_date]=&draft[resulting_enrollment]=&draft[not_housed_reason]=",
    client, event, version, acknowledged)
  return wrk.format("POST", "/api/ce/save", {
    ["Cookie"] = cookie,
    ["Origin"] = os.getenv("SAVE_ORIGIN"),
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status == 200 then
    version = tonumber(body)
  else
    failed = failed + 1
    if failed <= 3 then io.stderr:write("save failed: " .. status .. " " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT saves_per_second=%.0f p50_ms=%.1f p99_ms=%.1f non_2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
