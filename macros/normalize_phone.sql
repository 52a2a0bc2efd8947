{#-
    Phone number to E.164 ("+886912345678") in portable SQL.
    - full-width digits and plus are folded to ASCII; a national-prefix "(0)" is dropped;
    - written with "+": the digits after it are the country code and number (a trunk 0 right
      after the default region's country code, "+886 0912...", is dropped);
    - without "+": a leading trunk 0 means a national number of the default region
      ("0912-345-678" -> "+886912345678"); a leading default country code with enough digits
      ("886912345678") is taken as international; anything else is a national number without
      its trunk 0 ("912345678");
    - NULL when fewer than 8 or more than 15 digits result, or on an "00" international prefix
      (ambiguous: Taiwan dials 002/005/006/007/009).
    The default region comes from var phone_default_region (ISO 3166-1 alpha-2).
-#}
{% macro normalize_phone(expr, default_region=none) -%}
    {%- set region = default_region or var('phone_default_region', 'TW') -%}
    {%- set calling_codes = {
        'TW': '886', 'JP': '81', 'HK': '852', 'SG': '65', 'MY': '60', 'TH': '66',
        'KR': '82', 'CN': '86', 'US': '1', 'GB': '44', 'AU': '61'
    } -%}
    {%- if region not in calling_codes -%}
        {{ exceptions.raise_compiler_error(
            "normalize_phone: no calling code for region '" ~ region
            ~ "'; add it to calling_codes in macros/normalize_phone.sql") }}
    {%- endif -%}
    {%- set cc = calling_codes[region] -%}
    {%- set folded -%}
        translate(trim({{ expr }}), '０１２３４５６７８９＋', '0123456789+')
    {%- endset -%}
    {%- set without_trunk_hint = omnichannel.regexp_replace_all(folded, '[(]0[)]', '') -%}
    {%- set digits = omnichannel.regexp_replace_all(without_trunk_hint, '[^0-9]', '') -%}
    {%- set e164 -%}
        case
            when {{ digits }} = '' then null
            when {{ folded }} like '+%' and {{ digits }} like '{{ cc }}0%'
                then concat('+{{ cc }}', substr({{ digits }}, {{ cc | length + 2 }}))
            when {{ folded }} like '+%' then concat('+', {{ digits }})
            when {{ digits }} like '00%' then null
            when {{ digits }} like '0%' then concat('+{{ cc }}', substr({{ digits }}, 2))
            when {{ digits }} like '{{ cc }}0%' and length({{ digits }}) >= {{ cc | length + 9 }}
                then concat('+{{ cc }}', substr({{ digits }}, {{ cc | length + 2 }}))
            when {{ digits }} like '{{ cc }}%' and length({{ digits }}) >= {{ cc | length + 8 }}
                then concat('+', {{ digits }})
            else concat('+{{ cc }}', {{ digits }})
        end
    {%- endset -%}
    case
        when length({{ e164 }}) between 9 and 16 then {{ e164 }}
    end
{%- endmacro %}
