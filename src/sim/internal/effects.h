#pragma once

#include <array>
#include <string_view>

namespace winback::sim::internal {

// Every behavioural rate of the simulator beyond the BG/NBD and Gamma-Gamma parameters of
// SimOptions. One definition, read by the generator and written to truth.json under "effects",
// so the documented truth cannot drift from what the code does. Rates "per day" are rates of a
// Poisson process in calendar days; "alive" is the time from signup to the customer's BG/NBD
// dropout (or the end of the window), "dead" the time after the dropout.

// Orders.
inline constexpr double kRefundedPerCompleted = 0.03 / 0.95;   // extra refunded rows
inline constexpr double kCancelledPerCompleted = 0.02 / 0.95;  // extra cancelled rows
inline constexpr double kSignupSameSession = 0.6;    // signup minutes before the first order
inline constexpr double kSignupLeadMeanDays = 20;    // otherwise an exponential lead time
inline constexpr int kMaxCompletedOrders = 100'000;  // safety cap per customer

// Engagement: each customer has a multiplier m ~ Gamma(shape 2, rate 2) (mean 1) on visits,
// e-mail opens, chats and abandoned carts.
inline constexpr double kEngagementShape = 2.0;
inline constexpr double kVisitBeforeOrder = 0.6;   // P(a visit 2-40 min before an order)
inline constexpr double kVisitBasePerDay = 0.004;  // alive, plus kVisitPerLambda * lambda
inline constexpr double kVisitPerLambda = 1.0;
inline constexpr double kVisitDeadPerDay = 0.0004;
inline constexpr double kVisitNeverBuyerPerDay = 0.003;
inline constexpr double kEmailOpenPerDay = 0.010;  // e-mail consented only
inline constexpr double kEmailOpenDeadPerDay = 0.001;
inline constexpr double kEmailOpenNeverBuyerPerDay = 0.004;
inline constexpr double kEmailAgeUnder30 = 0.8;  // multipliers of the open rate by age
inline constexpr double kEmailAge50Plus = 1.25;
inline constexpr double kEmailClickGivenOpen = 0.25;
inline constexpr double kEmailClickGivenOpenDead = 0.05;
inline constexpr double kChatPerDay = 0.0012;
inline constexpr double kChatDeadPerDay = 0.0001;
inline constexpr double kCartAbandonedPerDay = 0.0015;
inline constexpr double kCartAbandonedDeadPerDay = 0.0001;
inline constexpr double kCartAbandonedNeverBuyerPerDay = 0.002;

// Support and feedback, per completed order.
inline constexpr double kTicketPerOrder = 0.05;    // opened 0.5-10 days after the order
inline constexpr double kTicketUnsatisfied = 0.3;  // resolution reason "unsatisfied"
inline constexpr double kComplaintIfSatisfied = 0.15;
inline constexpr double kComplaintIfUnsatisfied = 0.6;
inline constexpr double kTicketResolveMeanDays = 2.0;
inline constexpr double kReviewPerOrder = 0.10;  // 2-14 days after the order
inline constexpr double kReviewText = 0.6;
// Review score 1..5 distribution; after the order at which the customer dropped out it is the
// second row, so low scores signal churn.
inline constexpr std::array<double, 5> kReviewScoreAlive = {0.03, 0.05, 0.12, 0.30, 0.50};
inline constexpr std::array<double, 5> kReviewScoreAtDropout = {0.25, 0.25, 0.20, 0.15, 0.15};

// Referrals: customer j is referred (referred_by) by customer j - d, d uniform on 1..32, with
// probability kReferralCandidate, if the referrer is a buyer whose first order is before the
// referral and who has not dropped out by then. The referral happens 0-63 hours before j's
// signup; the referrer gets a `referral` event with ref = j's id.
inline constexpr double kReferralCandidate = 0.15;
inline constexpr int kReferralMaxDistance = 32;

// Churn signals after the dropout.
inline constexpr double kExitSurveyGivenDropout = 0.35;
inline constexpr double kExitSurveyDelayMeanDays = 7;
// Exit reasons price, service, selection, feature, moved, other.
inline constexpr std::array<double, 6> kExitReasonWeights = {0.35, 0.15, 0.15, 0.12, 0.10, 0.13};
inline constexpr double kExitServiceBoostAfterBadTicket = 4.0;  // service weight multiplier
inline constexpr double kExitText = 0.5;
inline constexpr double kFeatureRequestGivenFeatureReason = 0.8;
inline constexpr double kSubscriptionCancelGivenDropout = 0.15;
inline constexpr double kSubscriptionCancelDelayMeanDays = 14;
inline constexpr double kPaymentDefaultPerBuyer = 0.01;  // 30-60 days after one of its orders
inline constexpr double kUnsubscribeWhileAlive = 0.04;   // per consented customer
inline constexpr double kUnsubscribeAfterDropout = 0.20;
inline constexpr double kUnsubscribeDelayMeanDays = 30;
inline constexpr double kBounceShare = 0.015;  // per customer with e-mail consent

// Population (country and city shares, per-country consent rates: population.cc).
inline constexpr double kGenderFemale = 0.48;
inline constexpr double kGenderMale = 0.48;
inline constexpr double kGenderOther = 0.015;    // the rest is "unknown"
inline constexpr double kAgeMean = 38.0;         // years at the start of the window, normal,
inline constexpr double kAgeSd = 13.0;           // rounded and clamped to [18, 85]
inline constexpr double kBirthDateKnown = 0.65;  // birth_date and birth_year written
inline constexpr double kBirthYearOnly = 0.20;   // only birth_year written
// primary, secondary, bachelor, master, doctorate, other, absent.
inline constexpr std::array<double, 7> kEducationWeights = {0.08, 0.30, 0.32, 0.12,
                                                            0.03, 0.05, 0.10};
inline constexpr double kHasEmail = 0.92;
inline constexpr double kHasPhone = 0.88;
inline constexpr double kStatesPreference = 0.9;  // preferred_channel given, if any consent
// Unsubscribe channel weights among the consented ones: email, sms, whatsapp.
inline constexpr std::array<double, 3> kUnsubscribeChannelWeights = {0.6, 0.25, 0.15};
// Items (with_items): 1, 2 or 3 lines; SKU-0001..SKU-0200, low numbers more popular.
inline constexpr double kItemsTwoOrMore = 0.35;
inline constexpr double kItemsThree = 0.12;
inline constexpr int kItemSkus = 200;
inline constexpr double kItemQuantityTwo = 0.3;

// Local time of day of orders and events: relative weights of the 24 hours (evening peak).
inline constexpr std::array<double, 24> kHourWeights = {0.8, 0.4, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2,
                                                        2.0, 2.8, 3.5, 4.0,  4.5,  4.5,  4.3, 4.3,
                                                        4.5, 5.0, 5.8, 7.0,  8.0,  7.5,  5.0, 2.5};

// Seasonality: s(t) = 1 + A cos(2 pi (t - peak) / P) with t in days since 1970-01-01.
inline constexpr double kSeasonPeriodDays = 365.25;
inline constexpr double kSeasonPeakDay = 334.0;  // 1970-12-01; peaks fall on Dec 1 (+-1 day)

struct EffectEntry {
  std::string_view name;
  double value;
  std::string_view meaning;
};

inline constexpr EffectEntry kEffects[] = {
    {"refunded_orders_per_completed", kRefundedPerCompleted,
     "extra refunded order rows per completed order, 1-48 h before it"},
    {"cancelled_orders_per_completed", kCancelledPerCompleted,
     "extra cancelled order rows per completed order, 5-120 min before it"},
    {"signup_same_session", kSignupSameSession, "P(signup up to 29 min before the first order)"},
    {"signup_lead_mean_days", kSignupLeadMeanDays, "else exponential lead time, days"},
    {"engagement_multiplier_shape", kEngagementShape,
     "per-customer multiplier m ~ Gamma(shape, rate=shape) on visits, opens, chats, carts"},
    {"visit_before_order", kVisitBeforeOrder, "P(a visit 2-40 min before each order)"},
    {"visit_alive_base_per_day", kVisitBasePerDay, "visits/day while alive: m*(base+k*lambda)"},
    {"visit_alive_per_lambda", kVisitPerLambda, "k in the line above"},
    {"visit_dead_per_day", kVisitDeadPerDay, "visits/day after dropout, times m"},
    {"visit_never_buyer_per_day", kVisitNeverBuyerPerDay, "visits/day of never-buyers, times m"},
    {"email_open_alive_per_day", kEmailOpenPerDay, "opens/day while alive (e-mail consent)"},
    {"email_open_dead_per_day", kEmailOpenDeadPerDay, "opens/day after dropout"},
    {"email_open_never_buyer_per_day", kEmailOpenNeverBuyerPerDay, "opens/day, never-buyers"},
    {"email_age_under_30", kEmailAgeUnder30, "open-rate multiplier, age < 30"},
    {"email_age_50_plus", kEmailAge50Plus, "open-rate multiplier, age >= 50"},
    {"email_click_given_open", kEmailClickGivenOpen, "P(click | open) while alive"},
    {"email_click_given_open_dead", kEmailClickGivenOpenDead, "P(click | open) after dropout"},
    {"chat_alive_per_day", kChatPerDay, "chats/day while alive, times m"},
    {"chat_dead_per_day", kChatDeadPerDay, "chats/day after dropout, times m"},
    {"cart_abandoned_alive_per_day", kCartAbandonedPerDay, "abandoned carts/day alive, times m"},
    {"cart_abandoned_dead_per_day", kCartAbandonedDeadPerDay, "after dropout, times m"},
    {"cart_abandoned_never_buyer_per_day", kCartAbandonedNeverBuyerPerDay, "never-buyers"},
    {"ticket_per_order", kTicketPerOrder, "P(support ticket 0.5-10 days after an order)"},
    {"ticket_unsatisfied", kTicketUnsatisfied, "P(resolution reason unsatisfied)"},
    {"complaint_if_satisfied", kComplaintIfSatisfied, "P(complaint on a ticket resolved well)"},
    {"complaint_if_unsatisfied", kComplaintIfUnsatisfied,
     "P(complaint on a ticket resolved badly)"},
    {"ticket_resolve_mean_days", kTicketResolveMeanDays, "exponential, plus one hour"},
    {"review_per_order", kReviewPerOrder, "P(review 2-14 days after an order)"},
    {"review_text", kReviewText, "P(review has text)"},
    {"review_score_1_alive", kReviewScoreAlive[0], "score distribution, ordinary orders"},
    {"review_score_2_alive", kReviewScoreAlive[1], ""},
    {"review_score_3_alive", kReviewScoreAlive[2], ""},
    {"review_score_4_alive", kReviewScoreAlive[3], ""},
    {"review_score_5_alive", kReviewScoreAlive[4], ""},
    {"review_score_1_at_dropout", kReviewScoreAtDropout[0],
     "score distribution for the order at which the customer dropped out"},
    {"review_score_2_at_dropout", kReviewScoreAtDropout[1], ""},
    {"review_score_3_at_dropout", kReviewScoreAtDropout[2], ""},
    {"review_score_4_at_dropout", kReviewScoreAtDropout[3], ""},
    {"review_score_5_at_dropout", kReviewScoreAtDropout[4], ""},
    {"referral_candidate", kReferralCandidate,
     "P(customer j names customer j-d, d~U{1..32}, as referrer; kept only if that customer "
     "was acquired and not yet dropped out 0-63 h before j's signup)"},
    {"referral_max_distance", kReferralMaxDistance, "d above"},
    {"exit_survey_given_dropout", kExitSurveyGivenDropout, "P(exit survey after dropout)"},
    {"exit_survey_delay_mean_days", kExitSurveyDelayMeanDays, "exponential delay after dropout"},
    {"exit_reason_price", kExitReasonWeights[0], "exit reason weights"},
    {"exit_reason_service", kExitReasonWeights[1], ""},
    {"exit_reason_selection", kExitReasonWeights[2], ""},
    {"exit_reason_feature", kExitReasonWeights[3], ""},
    {"exit_reason_moved", kExitReasonWeights[4], ""},
    {"exit_reason_other", kExitReasonWeights[5], ""},
    {"exit_service_boost_after_bad_ticket", kExitServiceBoostAfterBadTicket,
     "service weight multiplier after an unsatisfied ticket or a complaint"},
    {"exit_text", kExitText, "P(exit survey / cancellation has text)"},
    {"feature_request_given_feature_reason", kFeatureRequestGivenFeatureReason,
     "P(feature_requested with the survey when the reason is feature)"},
    {"subscription_cancel_given_dropout", kSubscriptionCancelGivenDropout,
     "P(subscription_cancelled after dropout)"},
    {"subscription_cancel_delay_mean_days", kSubscriptionCancelDelayMeanDays, "exponential"},
    {"payment_default_per_buyer", kPaymentDefaultPerBuyer,
     "P(payment_default 30-60 days after one of the orders, value = that order)"},
    {"unsubscribe_while_alive", kUnsubscribeWhileAlive,
     "P(unsubscribe from a consented channel at a uniform time while alive)"},
    {"unsubscribe_after_dropout", kUnsubscribeAfterDropout, "P(unsubscribe after dropout)"},
    {"unsubscribe_delay_mean_days", kUnsubscribeDelayMeanDays, "exponential after dropout"},
    {"bounce", kBounceShare, "P(e-mail bounce, e-mail consented); no opens after it"},
    {"unsubscribe_channel_email", kUnsubscribeChannelWeights[0],
     "unsubscribe channel weights among consented channels"},
    {"unsubscribe_channel_sms", kUnsubscribeChannelWeights[1], ""},
    {"unsubscribe_channel_whatsapp", kUnsubscribeChannelWeights[2], ""},
};

// The population constants, for truth.json's "population".
inline constexpr EffectEntry kPopulationEntries[] = {
    {"gender_female", kGenderFemale, "gender shares; the rest is unknown"},
    {"gender_male", kGenderMale, ""},
    {"gender_other", kGenderOther, ""},
    {"age_mean_years", kAgeMean, "age at the window start ~ Normal, rounded, clamped to 18..85"},
    {"age_sd_years", kAgeSd, ""},
    {"birth_date_known", kBirthDateKnown, "share with birth_date (and birth_year)"},
    {"birth_year_only", kBirthYearOnly, "share with birth_year only"},
    {"education_primary", kEducationWeights[0], "education shares; the rest is absent"},
    {"education_secondary", kEducationWeights[1], ""},
    {"education_bachelor", kEducationWeights[2], ""},
    {"education_master", kEducationWeights[3], ""},
    {"education_doctorate", kEducationWeights[4], ""},
    {"education_other", kEducationWeights[5], ""},
    {"has_email", kHasEmail, "share with an e-mail address"},
    {"has_phone", kHasPhone, "share with a phone number"},
    {"states_preference", kStatesPreference,
     "P(preferred_channel given | some consent); drawn among consented channels with weights "
     "email 1+(age-35)/30, sms 0.8, whatsapp 1+(35-age)/25, each clamped to 0.3..2"},
    {"items_two_or_more", kItemsTwoOrMore, "P(order has 2 or 3 item lines), with_items"},
    {"items_three", kItemsThree, "P(3 item lines)"},
    {"item_skus", kItemSkus, "SKU-0001..SKU-0200; sku = 1 + floor(200 u^2)"},
    {"item_quantity_two", kItemQuantityTwo, "P(quantity 2) for lines but the last"},
};

}  // namespace winback::sim::internal
