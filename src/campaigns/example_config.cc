#include "campaigns/example_config.h"

namespace winback::campaigns {

std::string ExampleCampaignConfig() {
  return R"toml(
# ---- Sending: `winback plan`, `winback send` ---------------------------------------------
# Channels deliver, [policy] decides how often and when, [[offer]] says what a message may
# give, [[campaign]] says who gets which message when. Message texts live in [templates] dir.

# ---- Channels ----------------------------------------------------------------------------
# One table per channel kind; a kind without a table is never sent. transport and url are
# required. "file" writes every message into a folder (relative to this file) instead of
# sending it: safe for trying things out. Secrets never go here; they are read from the
# environment when a real transport is used (listed beside each one below).

[channels.email]
transport = "file"                 # file | smtp | webhook (no default: required)
url = "outbox"                     # file: the folder, relative to this file (required)
from = "Shop <shop@example.com>"   # the sender; required for smtp (no default)
# sync = true                      # file: fsync each message file before it counts as sent
# transport = "smtp"               # real delivery through an SMTP server; then:
# url = "smtp://127.0.0.1:2525"    # smtp://host[:port] (STARTTLS) or smtps://host[:port] (TLS)
# starttls = true                  # default true, except on 127.0.0.1/::1/localhost: false
# timeout_seconds = 10             # each delivery attempt, 1..600 (default 10)
# Environment: WINBACK_SMTP_USERNAME, WINBACK_SMTP_PASSWORD (username unset: no SMTP AUTH).
# dkim_domain = "example.com"      # DKIM-sign every email for this domain (d=), any transport;
# dkim_selector = "winback"        #   its selector (s=): both or neither (default: unsigned)
# Environment: WINBACK_DKIM_PRIVATE_KEY, the PEM RSA key whose public half is the TXT record
# winback._domainkey.example.com (required when dkim_domain is set).

[channels.sms]
transport = "file"                 # file | twilio | webhook (no default: required)
url = "outbox"                     # file: the folder, relative to this file (required)
from = "+15005550006"              # the sending number, E.164; required for twilio
# transport = "twilio"             # real delivery through Twilio; then:
# url = "https://api.twilio.com"   # the Twilio API base URL
# Environment: WINBACK_TWILIO_ACCOUNT_SID, WINBACK_TWILIO_AUTH_TOKEN (both required).

[channels.whatsapp]
transport = "file"                 # file | whatsapp_cloud | webhook (no default: required)
url = "outbox"                     # file: the folder, relative to this file (required)
phone_number_id = "1234567890"     # the WhatsApp Business number id; required for whatsapp_cloud
# transport = "whatsapp_cloud"     # real delivery through Meta's WhatsApp Cloud API; then:
# url = "https://graph.facebook.com/v19.0"   # the Graph API base URL
# Environment: WINBACK_WHATSAPP_TOKEN (required).
# WhatsApp sends only templates Meta has approved: each message template's whatsapp part names
# one (winback_come_back, ...) and lists its parameters; approve them before going live.

# ---- Policy ------------------------------------------------------------------------------
[policy]
# No messages in this window of the customer's local time; start > end wraps midnight, equal
# times mean none. Default 21:00 .. 09:00.
quiet_hours = { start = "21:00", end = "09:00" }
# At most `messages` per customer in any `days`, over all campaigns and channels (default 3, 7).
frequency_cap = { messages = 3, days = 7 }
daily_limit = 0                       # messages per planning day over the store; 0: none (default)
# Channel order when neither the customer's preference nor learning decides (default).
channel_order = ["email", "whatsapp", "sms"]
learn_min_sample = 30                 # customers per (age band, country, language) cell (default)
languages = ["en", "tr", "fa"]        # languages with templates; others get fallback (default)
fallback_language = "en"              # one of languages (default "en")
shop_name = "Example Shop"            # {{shop_name}} in templates (default "Our shop")
time_zone = "UTC"                     # IANA zone of customers without one (default "UTC")
# The let-go rule (article 004: not every customer is worth winning back): no win-back when
# expected_return x customer value - offer cost x redemption_rate - message cost < 0; such
# customers are suppressed and the reason recorded. Until measured, the inputs come from here.
expected_return = 0.15                # P(order | message) (default 0.15)
currency = "USD"                      # of message_cost (default "USD")
message_cost = { email = "0.01", sms = "0.05", whatsapp = "0.03" }   # per message (default)
best_hour_min_events = 3              # opens/clicks/orders before a customer's best hour (default)

# ---- Links -------------------------------------------------------------------------------
[tracking]
# Links in messages: BASE/u/TOKEN unsubscribes, BASE/p/TOKEN opens the preferences (default
# "https://example.com/winback"). Tokens are signed with WINBACK_SIGNING_KEY (environment, at
# least 32 bytes); without it {{unsubscribe_url}} and {{preferences_url}} are empty, so set it
# before sending for real. Emails also get BASE/o/TOKEN (an open pixel) and BASE/c/TOKEN
# (click links) as they are sent. `winback serve` answers BASE/... at its root: map BASE to it
# in the reverse proxy.
base_url = "https://shop.example.com/winback"


# ---- Templates ---------------------------------------------------------------------------
[templates]
# The folder of NAME.LANG.mustache files, relative to this file (default "templates").
dir = "templates"

# ---- Offers ------------------------------------------------------------------------------
# What a message may give (article 001): answer the reason the customer left. A step with
# offer = "by_reason" takes the FIRST offer below whose exit_reasons include the customer's
# exit reason (empty exit_reasons: any reason) and that is no other offer's `next`; so the
# catch-all default comes after the offers for specific reasons. escalate = N on a step moves
# N steps along `next` (a bigger offer for the last chance, article 004).
# Keys: name (required; a-z 0-9 _ -), kind (required: percent_off, amount_off, credit,
# loyalty_points, free_shipping, new_products, notify), value (percent, or minor units of
# currency, or points; default 0), text ({{offer_text}}, default ""), coupon (issue a unique
# code, default true; never for new_products and notify), valid_days (default 14), cost
# (expected cost when redeemed, in currency, default "0"), currency, redemption_rate (share of
# recipients expected to redeem, default 0.1), exit_reasons (default: any), segments (default:
# any), next (the bigger offer, default none), max_per_day (issues per day, 0: no cap; default 0).

[[offer]]
name = "price_10"                    # left over price: a discount (article 001)
kind = "percent_off"                 # a percentage off the order
value = 10                           # 10 %
text = "10% off your next order"     # how templates describe it
valid_days = 14                      # the coupon's validity: time-limited (article 004)
cost = "4.00"                        # expected discount on a typical order, when redeemed
currency = "USD"                     # of cost
redemption_rate = 0.12               # expected share of recipients who redeem it
exit_reasons = ["price"]             # offered to customers who left over price
next = "price_20"                    # the last chance's bigger offer

[[offer]]
name = "price_20"                    # the last-chance step-up of price_10
kind = "percent_off"                 # a percentage off the order
value = 20                           # 20 %
text = "20% off your next order"     # how templates describe it
valid_days = 7                       # a short deadline: the last chance
cost = "8.00"                        # expected discount on a typical order, when redeemed
currency = "USD"                     # of cost
redemption_rate = 0.18               # expected share of recipients who redeem it
exit_reasons = ["price"]             # a step up for price leavers only (never a starting offer)

[[offer]]
name = "service_credit"              # left over bad service: make it right with credit
kind = "credit"                      # store credit
value = 1000                         # minor units of currency: $10.00
text = "$10 store credit, on us"     # how templates describe it
valid_days = 30                      # the credit's validity
cost = "10.00"                       # what it costs when used
currency = "USD"                     # of value and cost
redemption_rate = 0.15               # expected share of recipients who use it
exit_reasons = ["service"]           # offered to customers who left over service
next = "service_credit_big"          # the last chance's bigger credit

[[offer]]
name = "service_credit_big"          # the last-chance step-up of service_credit
kind = "credit"                      # store credit
value = 1500                         # minor units of currency: $15.00
text = "$15 store credit, on us"     # how templates describe it
valid_days = 14                      # the credit's validity
cost = "15.00"                       # what it costs when used
currency = "USD"                     # of value and cost
redemption_rate = 0.2                # expected share of recipients who use it
exit_reasons = ["service"]           # a step up for service leavers only

[[offer]]
name = "newest_arrivals"             # left over too little choice: show what is new, no discount
kind = "new_products"                # the newest offerings ({{#new_products}} in templates)
text = "Our newest arrivals, picked for you"   # how templates describe it
cost = "0.00"                        # costs nothing
currency = "USD"                     # of cost
redemption_rate = 0.08               # expected share who order from it
exit_reasons = ["selection"]         # offered to customers who left over selection

[[offer]]
name = "feature_notify"              # left over a missing feature: tell them when it ships
kind = "notify"                      # no discount; the feature_shipped campaign follows up
text = "We will tell you the day the feature you asked for is ready"   # how templates describe it
cost = "0.00"                        # costs nothing
currency = "USD"                     # of cost
redemption_rate = 0.05               # expected share who come back for it
exit_reasons = ["feature"]           # offered to customers who left over a feature

[[offer]]
# The catch-all for no (or another) exit reason: it must follow the offers for reasons.
name = "welcome_back_10"             # the default win-back offer
kind = "percent_off"                 # a percentage off the order
value = 10                           # 10 %
text = "10% off your next order"     # how templates describe it
valid_days = 14                      # the coupon's validity
cost = "4.00"                        # expected discount on a typical order, when redeemed
currency = "USD"                     # of cost
redemption_rate = 0.1                # expected share of recipients who redeem it
next = "welcome_back_15"             # the last chance's bigger offer
# max_per_day = 500                  # cap on coupons issued per planning day (default 0: no cap)

[[offer]]
name = "welcome_back_15"             # the last-chance step-up of welcome_back_10
kind = "percent_off"                 # a percentage off the order
value = 15                           # 15 %
text = "15% off your next order"     # how templates describe it
valid_days = 7                       # a short deadline: the last chance
cost = "6.00"                        # expected discount on a typical order, when redeemed
currency = "USD"                     # of cost
redemption_rate = 0.14               # expected share of recipients who redeem it

# Offers named by a step (not chosen by reason): they follow the catch-all default, so
# by_reason never picks them.

[[offer]]
name = "birthday_shipping"           # a birthday present
kind = "free_shipping"               # free shipping on one order
text = "Free shipping on your next order"   # how templates describe it
valid_days = 14                      # the coupon's validity
cost = "5.00"                        # typical shipping cost, when redeemed
currency = "USD"                     # of cost
redemption_rate = 0.1                # expected share of recipients who redeem it

[[offer]]
name = "anniversary_15"              # the anniversary discount (article 001: Asos, Levi's)
kind = "percent_off"                 # a percentage off the order
value = 15                           # 15 %
text = "15% off to celebrate our anniversary"   # how templates describe it
valid_days = 14                      # the coupon's validity
cost = "6.00"                        # expected discount on a typical order, when redeemed
currency = "USD"                     # of cost
redemption_rate = 0.1                # expected share of recipients who redeem it

[[offer]]
name = "spend_bonus_points"          # a bonus for reaching the spend threshold (article 002)
kind = "loyalty_points"              # loyalty points, credited to the account
value = 500                          # points
text = "500 bonus points, already in your account"   # how templates describe it
coupon = false                       # points are credited, no code to enter (default true)
cost = "5.00"                        # what the points are worth when spent
currency = "USD"                     # of cost
redemption_rate = 0.5                # expected share who spend them

[[offer]]
name = "long_inactive_15"            # the incentive for a long silence (article 002)
kind = "amount_off"                  # a fixed amount off the order
value = 1500                         # minor units of currency: $15.00
text = "$15 off your next order"     # how templates describe it
valid_days = 14                      # the coupon's validity
cost = "15.00"                       # what it costs when redeemed
currency = "USD"                     # of value and cost
redemption_rate = 0.08               # expected share of recipients who redeem it

[[offer]]
name = "apology_credit"              # after a complaint is resolved: credit (article 001)
kind = "credit"                      # store credit
value = 1000                         # minor units of currency: $10.00
text = "$10 store credit, with our apologies"   # how templates describe it
valid_days = 60                      # the credit's validity
cost = "10.00"                       # what it costs when used
currency = "USD"                     # of value and cost
redemption_rate = 0.3                # expected share who use it

# ---- Holidays ----------------------------------------------------------------------------
# Dates for holiday campaigns: "YYYY-MM-DD" for moving feasts, "MM-DD" for every year;
# countries (ISO 3166-1 alpha-2) limit who celebrates it (default: everyone).

[[holiday]]
name = "nowruz"                                                  # the Persian new year
dates = ["2024-03-20", "2025-03-20", "2026-03-21", "2027-03-21"] # moving: one date per year
countries = ["IR"]                                               # Iran

[[holiday]]
name = "ramazan_bayrami"                                         # Eid al-Fitr
dates = ["2024-04-10", "2025-03-30", "2026-03-20", "2027-03-10"] # moving: one date per year
countries = ["TR"]                                               # Türkiye

[[holiday]]
name = "christmas"                                               # every year on 25 December
dates = ["12-25"]                                                # MM-DD: every year
# countries = ["US", "GB"]                                       # default: every country

# ---- Campaigns ---------------------------------------------------------------------------
# One [[campaign]] per journey; its [[campaign.step]] tables follow, in order. Keys: name
# (required; a-z 0-9 _ -), trigger (required: winback, birthday, anniversary, holiday,
# post_purchase, onboarding, cart_abandoned, spend_threshold, long_inactive,
# complaint_resolved, feature_shipped), priority (higher first when the frequency cap has room
# for one only, -1000..1000, default 0), holdout (share kept as a holdout group to measure the
# lift, 0..0.9, default 0.1), reenter (default false), reenter_after_days (default 180),
# max_entries (default 1), send_hour (local hour when the customer has no best hour of their
# own, default 10), expires_after_days (a message pushed this many days past its due day by
# the cap and quiet hours is dropped, default 7), language (default: [policy]
# fallback_language), lookback_days (events and dates at most this old enter, default 7).
# Audience (default: everyone): segments, groups, lifecycle, countries, languages,
# exit_reasons. Birthday, anniversary and holiday journeys happen once per date whatever the
# re-entry keys say.
# A step: name (required), wait_days / wait_hours after the previous step or the entry
# (default 0), template (default: the step's name), variants (A/B: template NAME.VARIANT when
# that file exists, else NAME; default none), offer (an [[offer]] name, "by_reason", or none),
# escalate (steps along the offer's `next`, default 0), auto_winner (once the A/B variants
# have a winner, declared on the always-valid interval after Holm's correction, every later
# send of the step uses it; needs two or more variants and a holdout; default false).

# The win-back (articles 000, 002, 004): hello, then an incentive, then a last chance. 24 days
# in all; any order ends it, and let-go customers are never entered.
[[campaign]]
name = "winback"                     # the customer win-back journey
trigger = "winback"                  # enters customers who become inactive or lost
lifecycle = ["inactive", "lost"]     # lifecycle stages that enter (default: inactive, lost)
priority = 100                       # highest: it wins when the frequency cap has room for one
# kind = "offers"                   # what customers can turn off in the preference centre:
                                     # offers, reminders, occasions, service or news
                                     # (default: from the trigger; winback -> offers)
holdout = 0.1                        # 10 % get nothing, to measure what the campaign adds
reenter = true                       # may win a customer back again later
reenter_after_days = 180             # ... at least 180 days after the last journey ended
max_entries = 3                      # ... and at most 3 times in all
send_hour = 10                       # local hour of sending without a best hour (default 10)
expires_after_days = 7               # drop a message pushed more than 7 days late (default 7)
# exit_reasons = ["price", "service", "selection", "feature", "other"]   # (default: any)
# segments = ["cant_lose_them", "at_risk"]   # RFM segments that enter too (default: none)

[[campaign.step]]
name = "come_back"                   # "we miss you": what is new since they left, no offer
wait_days = 0                        # at once on entry
variants = ["plain", "emoji"]        # A/B test: come_back (plain) against come_back.emoji
# auto_winner = true                 # later sends use the winner once measured (default false)

[[campaign.step]]
name = "incentive"                   # an exclusive, time-limited offer for their exit reason
wait_days = 10                       # 10 days after come_back
# By exit reason: price 10 % off, service $10 credit, selection the newest products,
# feature a promise to notify, anything else 10 % off.
offer = "by_reason"                  # the offer for their exit reason

[[campaign.step]]
name = "last_chance"                 # a bigger offer, a deadline, "hear from us?"
wait_days = 14                       # 14 days after incentive
offer = "by_reason"                  # the offer for their exit reason ...
escalate = 1                         # ... one step up its `next`: 20 % instead of 10 %

[[campaign]]
name = "cart_abandoned"              # remind them of a cart left behind
trigger = "cart_abandoned"           # a cart_abandoned event; any order ends it
cart_hours = 4                       # first reminder 4 hours after the cart was left (default 4)
priority = 90                        # high: a cart is a sale nearly made
holdout = 0.1                        # 10 % holdout
reenter = true                       # every abandoned cart may get a reminder ...
reenter_after_days = 14              # ... but not more often than every 14 days
max_entries = 100                    # ... up to 100 times

[[campaign.step]]
name = "cart_reminder"               # your cart is waiting
wait_hours = 0                       # at cart_hours after the event

[[campaign]]
name = "complaint_resolved"          # after a resolved complaint: say sorry, give credit
trigger = "complaint_resolved"       # a ticket_resolved event of a customer who complained
priority = 80                        # before the promotional campaigns
holdout = 0.0                        # no holdout: every resolved complaint gets its apology
reenter = true                       # each resolved complaint ...
reenter_after_days = 90              # ... at most one apology per 90 days
max_entries = 5                      # ... and 5 in all

[[campaign.step]]
name = "apology"                     # we are sorry, here is credit
wait_days = 0                        # at once
offer = "apology_credit"             # $10 store credit

[[campaign]]
name = "long_inactive"               # no order for a long time: an incentive (article 002)
trigger = "long_inactive"            # no order for inactive_days; any order ends it
inactive_days = 120                  # days without an order (default 120)
priority = 70                        # below winback, which takes over when they become inactive
holdout = 0.1                        # 10 % holdout
reenter = true                       # after a later order, a new silence may enter again ...
reenter_after_days = 180             # ... 180 days after the last journey ended
max_entries = 3                      # ... at most 3 times

[[campaign.step]]
name = "long_inactive_incentive"     # it has been a while: $15 off
wait_days = 0                        # at once
offer = "long_inactive_15"           # $15 off, 14 days

[[campaign]]
name = "post_purchase"               # thank them, then ask for a review (article 002)
trigger = "post_purchase"            # a completed order
priority = 60                        # a sale just made
holdout = 0.1                        # 10 % holdout
reenter = true                       # after later orders too ...
reenter_after_days = 30              # ... but at most once per 30 days
max_entries = 1000                   # ... with no practical limit

[[campaign.step]]
name = "thank_you"                   # thank you for your order
wait_days = 0                        # at once

[[campaign.step]]
name = "review_request"              # how was it?
wait_days = 7                        # a week later, when the order has arrived

[[campaign]]
name = "onboarding"                  # a new customer's first week (article 002)
trigger = "onboarding"               # a signup or the first order
priority = 50                        # first impressions
holdout = 0.1                        # 10 % holdout

[[campaign.step]]
name = "welcome"                     # welcome
wait_days = 0                        # at once

[[campaign.step]]
name = "onboarding_tips"             # how to get the most out of the shop
wait_days = 3                        # 3 days later

[[campaign]]
name = "feature_shipped"             # the feature they asked for (or left over) is here
trigger = "feature_shipped"          # a feature_shipped event
priority = 45                        # news they asked for
holdout = 0.1                        # 10 % holdout
reenter = true                       # for every feature shipped ...
reenter_after_days = 7               # ... at most one a week
max_entries = 100                    # ... 100 in all

[[campaign.step]]
name = "feature_news"                # it is ready
wait_days = 0                        # at once

[[campaign]]
name = "spend_threshold"             # reward big spenders (article 002)
trigger = "spend_threshold"          # spent at least spend_threshold within period_days
spend_threshold = "500.00"           # the threshold (required for this trigger)
currency = "USD"                     # of spend_threshold; orders in other currencies do not count
period_days = 365                    # the window (default 365)
priority = 40                        # a thank-you, not urgent
holdout = 0.1                        # 10 % holdout
reenter = true                       # once per window
reenter_after_days = 365             # ... 365 days after the last bonus
max_entries = 100                    # ... 100 in all

[[campaign.step]]
name = "spend_bonus"                 # thank you: bonus points
wait_days = 0                        # at once
offer = "spend_bonus_points"         # 500 points

[[campaign]]
name = "birthday"                    # happy birthday (article 001: stay visible)
trigger = "birthday"                 # the customer's birthday in their time zone
priority = 30                        # a greeting
holdout = 0.1                        # 10 % holdout

[[campaign.step]]
name = "birthday_greeting"           # happy birthday, with a present
wait_days = 0                        # on the day
offer = "birthday_shipping"          # free shipping

[[campaign]]
name = "anniversary"                 # the anniversary of the first order (article 001)
trigger = "anniversary"              # every year on the date of the first order
priority = 25                        # a greeting
holdout = 0.1                        # 10 % holdout

[[campaign.step]]
name = "anniversary_greeting"        # a year together, with a discount
wait_days = 0                        # on the day
offer = "anniversary_15"             # 15 % off

[[campaign]]
name = "holiday"                     # season's greetings (article 001)
trigger = "holiday"                  # a [[holiday]] date in the customer's country
holidays = ["nowruz", "ramazan_bayrami", "christmas"]   # which [[holiday]] entries (default: all)
priority = 20                        # a greeting
holdout = 0.1                        # 10 % holdout

[[campaign.step]]
name = "holiday_greeting"            # happy holidays
wait_days = 0                        # on the day
)toml";
}

}  // namespace winback::campaigns
